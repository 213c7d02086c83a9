import { describe, expect, test } from "bun:test";
import { systemdUnit } from "../../src/cli/systemd-unit.ts";

const unit = (flags: Partial<Parameters<typeof systemdUnit>[1]> = {}) =>
  systemdUnit("/usr/local/bin/redgen", { configFile: undefined, expandEnv: false, logLevel: undefined, ...flags });

/** The value(s) of `key` in the [Service] section. */
function directive(text: string, key: string): string[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
}

describe("systemdUnit", () => {
  test("ExecStart carries the flags, with the config path made absolute", () => {
    expect(directive(unit(), "ExecStart")).toEqual(["/usr/local/bin/redgen"]);
    expect(directive(unit({ configFile: "/etc/redgen/tempo.yaml", expandEnv: true, logLevel: "debug" }), "ExecStart")).toEqual([
      "/usr/local/bin/redgen -config.file=/etc/redgen/tempo.yaml -config.expand-env -log.level=debug",
    ]);
    expect(directive(unit({ configFile: "tempo.yaml" }), "ExecStart")).toEqual([`/usr/local/bin/redgen -config.file=${process.cwd()}/tempo.yaml`]);
  });

  test("a path systemd would split or expand is quoted", () => {
    expect(directive(unit({ configFile: "/etc/my redgen/$x%.yaml" }), "ExecStart")).toEqual(['/usr/local/bin/redgen "-config.file=/etc/my redgen/$$x%%.yaml"']);
  });

  test("the state directory the durable queue needs, and the sandbox", () => {
    const u = unit();
    expect(directive(u, "StateDirectory")).toEqual(["redgen"]);
    expect(directive(u, "DynamicUser")).toEqual(["yes"]);
    for (const key of ["NoNewPrivileges", "PrivateTmp", "PrivateDevices", "PrivateUsers", "PrivateIPC", "ProtectHome", "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock", "ProtectHostname", "LockPersonality", "RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID"]) {
      expect([key, directive(u, key)]).toEqual([key, ["yes"]]);
    }
    expect(directive(u, "ProtectSystem")).toEqual(["strict"]);
    expect(directive(u, "CapabilityBoundingSet")).toEqual([""]);
    expect(directive(u, "SystemCallFilter")).toEqual(["@system-service", "~@privileged @resources"]);
    expect(directive(u, "ProcSubset")).toEqual(["pid"]);
    // the JIT needs writable+executable memory
    expect(directive(u, "MemoryDenyWriteExecute")).toEqual([]);
  });
});
