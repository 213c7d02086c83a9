import { describe, expect, test } from "bun:test";
import { type Snapshot, SnapshotRing } from "../../../src/serve/live/snapshot-ring.ts";
import { poll } from "../../support/poll.ts";

function ring(windowMs = 60_000) {
  const taken: number[] = [];
  let idle = 0;
  const take = async (now: number): Promise<Snapshot> => {
    taken.push(now);
    return { ts: now, summary: { red: new Map(), redBounds: [], edges: new Map(), edgeBounds: [] }, spansReceived: 0 };
  };
  const r = new SnapshotRing(take, () => idle++, { minSpacingMs: 2_000, historySpacingMs: 10_000, windowMs });
  return { r, taken, idle: () => idle };
}

describe("SnapshotRing", () => {
  test("takes a snapshot only on request, at most every minSpacing; viewers in between share it", async () => {
    const { r, taken } = ring();
    const a = await r.observe(1_000_000);
    expect(a.base).toBeUndefined();
    expect((await r.observe(1_001_000)).current).toBe(a.current);
    expect(taken).toEqual([1_000_000]);
    const b = await r.observe(1_003_000);
    expect(b.current.ts).toBe(1_003_000);
    expect(b.base?.ts).toBe(1_000_000);
    r.dispose();
  });

  test("the baseline is the oldest snapshot inside the window; baselines are kept historySpacing apart", async () => {
    const { r } = ring(60_000);
    const t0 = 1_000_000;
    for (let t = t0; t <= t0 + 50_000; t += 5_000) await r.observe(t);
    // kept: t0, +10 s, +20 s, … +50 s, plus the latest
    expect(r.size).toBe(6);
    expect((await r.observe(t0 + 55_000)).base?.ts).toBe(t0);
    // past the window the oldest go
    expect((await r.observe(t0 + 75_000)).base?.ts).toBe(t0 + 20_000);
    r.dispose();
  });

  test("after a window without requests everything is dropped and onIdle runs", async () => {
    const { r, idle } = ring(30);
    await r.observe(Date.now());
    expect(r.size).toBe(1);
    await poll("the idle ring to be dropped", () => (idle() === 1 ? true : undefined), { timeoutMs: 2_000, intervalMs: 5 });
    expect(r.size).toBe(0);
  });
});
