/** What the command line asked for. */
export interface CliArgs {
  command: "run" | "check-config" | "systemd-unit" | "help" | "version";
  /** for `help`: the subcommand it was asked about (`redgen systemd-unit --help`) */
  helpTopic: "check-config" | "systemd-unit" | undefined;
  configFile: string | undefined;
  expandEnv: boolean;
  logLevel: string | undefined;
}

/**
 * Parses Tempo-style flags: `-config.file=PATH`, `--config.file=PATH`,
 * `-config.file PATH` (Go's flag package accepts all three), plus
 * `-config.expand-env`, `-log.level`, and the subcommands. `--help` wins
 * over everything else; after a subcommand it asks for that one's help.
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const out: CliArgs = { command: "run", helpTopic: undefined, configFile: undefined, expandEnv: false, logLevel: undefined };
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "check-config" || a === "systemd-unit") {
      out.command = a;
      continue;
    }
    if (!a.startsWith("-")) throw new Error(`unexpected argument "${a}" (see --help)`);
    const flag = a.replace(/^--?/, "");
    const eq = flag.indexOf("=");
    const name = eq === -1 ? flag : flag.slice(0, eq);
    const inline = eq === -1 ? undefined : flag.slice(eq + 1);
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new Error(`flag -${name} needs a value`);
      return next;
    };
    switch (name) {
      case "h":
      case "help":
        help = true;
        break;
      case "version":
        out.command = "version";
        break;
      case "config.file":
        out.configFile = value();
        break;
      case "config.expand-env":
        out.expandEnv = inline === undefined ? true : parseBool(inline, name);
        break;
      case "log.level": {
        const level = value();
        if (!["debug", "info", "warn", "error"].includes(level)) throw new Error(`flag -log.level takes debug, info, warn or error, not "${level}"`);
        out.logLevel = level;
        break;
      }
      default:
        throw new Error(`unknown flag "${a}" (see --help)`);
    }
  }
  if (help) {
    if (out.command === "check-config" || out.command === "systemd-unit") out.helpTopic = out.command;
    out.command = "help";
  }
  return out;
}

function parseBool(v: string, name: string): boolean {
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new Error(`flag -${name} takes true or false, not "${v}"`);
}
