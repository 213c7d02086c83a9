import { describe, expect, test } from "bun:test";
import { parseArgs } from "../../src/cli/args.ts";
import { helpText } from "../../src/cli/help.ts";

describe("parseArgs", () => {
  test("--help alone is the general help; after a subcommand it is that subcommand's", () => {
    expect(parseArgs(["--help"])).toMatchObject({ command: "help", helpTopic: undefined });
    expect(parseArgs(["systemd-unit", "--help"])).toMatchObject({ command: "help", helpTopic: "systemd-unit" });
    expect(parseArgs(["-h", "check-config"])).toMatchObject({ command: "help", helpTopic: "check-config" });
    expect(parseArgs(["systemd-unit", "-config.file=/x.yaml", "-h"])).toMatchObject({ command: "help", helpTopic: "systemd-unit" });
  });

  test("systemd-unit takes the flags it passes on", () => {
    expect(parseArgs(["systemd-unit", "-config.file", "/etc/t.yaml", "-config.expand-env", "--log.level=warn"])).toEqual({
      command: "systemd-unit",
      helpTopic: undefined,
      configFile: "/etc/t.yaml",
      expandEnv: true,
      logLevel: "warn",
    });
  });
});

describe("helpText", () => {
  test("systemd-unit --help documents every flag it passes on and how to change the unit", () => {
    const h = helpText("1.0.0", "systemd-unit");
    for (const s of ["-config.file PATH", "-config.expand-env", "-log.level LEVEL", "StateDirectory=redgen", "ReadWritePaths=", "CAP_NET_BIND_SERVICE", "systemctl edit redgen"]) expect(h).toContain(s);
  });

  test("the general help names the live page and the assets", () => {
    const h = helpText("1.0.0");
    expect(h).toContain("GET  :3200/              the live page");
    expect(h).toContain("GET  :3200/assets/");
    expect(h).toContain("<command> --help");
  });
});
