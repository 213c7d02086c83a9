/**
 * The Prometheus rules (src/assets/prometheus/redgen-alerts.yml) through
 * promtool from Debian's prometheus package: the file is valid, and every
 * alert fires exactly when its unit test says (threshold, `for`, labels,
 * annotations; test/fixtures/prometheus/redgen-alerts.test.yml). What the
 * expressions return on redgen's real series: test/e2e/dashboards-and-alerts.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT, ensureSystemPackages } from "../support/setup.ts";

const RULES = join(REPO_ROOT, "src/assets/prometheus/redgen-alerts.yml");
const UNIT_TESTS = join(REPO_ROOT, "test/fixtures/prometheus/redgen-alerts.test.yml");

function promtool(args: string[], cwd = join(REPO_ROOT, "test/fixtures/prometheus")): { code: number; out: string } {
  ensureSystemPackages();
  const r = Bun.spawnSync(["promtool", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode ?? -1, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}

describe("Prometheus rules", () => {
  test("promtool check rules accepts the file", () => {
    const r = promtool(["check", "rules", RULES]);
    expect(r).toEqual({ code: 0, out: expect.stringContaining("SUCCESS") });
  });

  test("promtool test rules: every alert fires when, and only when, its unit test says", () => {
    const r = promtool(["test", "rules", UNIT_TESTS]);
    expect({ code: r.code, failed: r.out.includes("FAILED"), success: r.out.includes("SUCCESS") }).toEqual({ code: 0, failed: false, success: true });
  });

  test("every alert has a unit test, a severity and a summary", () => {
    const rules = (parse(readFileSync(RULES, "utf8")) as { groups: { rules: { alert?: string; labels?: { severity?: string }; annotations?: { summary?: string } }[] }[] }).groups.flatMap((g) => g.rules);
    const alerts = rules.filter((r) => r.alert !== undefined);
    const tested = new Set(
      (parse(readFileSync(UNIT_TESTS, "utf8")) as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] }).tests.flatMap((t) =>
        t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname),
      ),
    );
    expect(alerts.map((a) => a.alert).filter((a) => !tested.has(a as string))).toEqual([]);
    for (const a of alerts) {
      expect([a.alert, a.labels?.severity]).toEqual([a.alert, expect.stringMatching(/^(info|warning|critical)$/)]);
      expect([a.alert, typeof a.annotations?.summary]).toEqual([a.alert, "string"]);
    }
  });

  test("a broken threshold makes the unit tests fail (they have teeth)", () => {
    const broken = readFileSync(RULES, "utf8").replace("redgen_remote_write_queue_oldest_round_age_seconds > 300", "redgen_remote_write_queue_oldest_round_age_seconds > 3000");
    expect(broken).not.toBe(readFileSync(RULES, "utf8"));
    const dir = join(REPO_ROOT, ".cache", `promtool-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(join(dir, "rules.yml"), broken);
      writeFileSync(join(dir, "test.yml"), readFileSync(UNIT_TESTS, "utf8").replace("../../../src/assets/prometheus/redgen-alerts.yml", "rules.yml"));
      const r = promtool(["test", "rules", "test.yml"], dir);
      expect(r.code).not.toBe(0);
      expect(r.out).toContain("alertname: RedgenRemoteWriteBacklog");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
