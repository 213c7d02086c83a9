/**
 * How configuration problems are reported: every problem names the key path
 * it is about (`metrics_generator.registry.collection_interval`) so a user can
 * find it in tempo.yaml, and all problems of one file are reported together
 * instead of one per restart.
 */

/** One step of a key path: a mapping key or a list index. */
export type PathSegment = string | number;

/** Where a key path sits in the YAML text, when known. */
export type Locate = (path: readonly PathSegment[]) => { line: number; col: number } | undefined;

const PLAIN_KEY = /^[A-Za-z0-9_*\-/]+$/;

/** Renders a key path as `a.b.0.c`; keys that contain dots or spaces are quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return "(top level)";
  return path.map((p) => (typeof p === "number" || PLAIN_KEY.test(p) ? String(p) : JSON.stringify(p))).join(".");
}

/**
 * The configuration could not be loaded; `problems` holds one line per problem.
 * The message leaves out the main config file's name (the caller prints it) and
 * names any other file involved, such as the per-tenant overrides file.
 */
export class ConfigError extends Error {
  override name = "ConfigError";

  constructor(
    readonly problems: readonly string[],
    /** the other file the problems are in, e.g. `per-tenant overrides file /etc/overrides.yaml` */
    readonly context?: string,
  ) {
    const prefix = context === undefined ? "" : `${context}: `;
    super(
      problems.length === 1
        ? `${prefix}${problems[0]}`
        : `${prefix}${problems.length} problems:\n  - ${problems.join("\n  - ")}`,
    );
  }
}

/** Collects path-qualified problems while a config is checked, then throws them at once. */
export class Problems {
  private readonly items: { path: readonly PathSegment[]; message: string }[] = [];

  /** Records a problem about the key at `path`. */
  add(path: readonly PathSegment[], message: string): void {
    // The same effective setting can be checked once per tenant; report it once.
    const key = formatPath(path);
    if (this.items.some((i) => i.message === message && formatPath(i.path) === key)) return;
    this.items.push({ path, message });
  }

  /** Number of problems recorded so far. */
  get count(): number {
    return this.items.length;
  }

  /** Throws a ConfigError listing every problem (with YAML line numbers when `locate` finds them). */
  throwIfAny(locate?: Locate, context?: string): void {
    if (this.items.length === 0) return;
    const lines = this.items.map(({ path, message }) => {
      const at = locate?.(path);
      const where = at === undefined ? "" : ` (line ${at.line}, column ${at.col})`;
      return `${formatPath(path)}: ${message}${where}`;
    });
    throw new ConfigError(lines, context);
  }
}
