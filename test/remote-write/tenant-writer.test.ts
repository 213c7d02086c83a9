import { describe, expect, test } from "bun:test";
import { TenantWriter } from "../../src/remote-write/tenant-writer.ts";
import { poll } from "../support/poll.ts";

/** A writer with no endpoints whose rounds are only counted (captures), over an empty registry. */
function writer(intervalMs: number) {
  const rounds: number[] = [];
  const w = new TenantWriter<number>(
    "t",
    { collect: () => {} },
    [],
    intervalMs,
    false,
    {
      capture: (seq, ts) => {
        rounds.push(ts);
        return seq;
      },
      write: async () => true,
      writeSync: () => true,
      durable: () => {},
    },
  );
  return { w, rounds };
}

describe("a changed collection interval applies while running (spec §10)", () => {
  test("a shorter interval takes effect at once, counted from the last round", async () => {
    const { w, rounds } = writer(3_600_000);
    w.start();
    w.reconfigure(25, false);
    await poll("three rounds at the new interval", () => (rounds.length >= 3 ? true : undefined), { timeoutMs: 5000, intervalMs: 10 });
    await w.finish();
    for (let i = 1; i < 3; i++) expect(rounds[i] - rounds[i - 1]).toBeGreaterThanOrEqual(20);
  });
});
