import { describe, expect, test } from "bun:test";
import { LIMITS, liveView } from "../../../src/serve/live/live-view.ts";
import type { Snapshot } from "../../../src/serve/live/snapshot-ring.ts";
import type { EdgeRow, RedRow } from "../../../src/serve/live/summary-sink.ts";

const BOUNDS = [0.1, 0.2, 0.4];
const HEAD = { version: "1", tenant: "t", tenants: ["t"] };

function snap(ts: number, calls: number, errors: number, buckets: number[], spans = 0, edge?: Partial<EdgeRow>): Snapshot {
  const red: RedRow = { service: "api", spanName: "GET", calls, errors, buckets };
  const edges = new Map<string, EdgeRow>();
  if (edge !== undefined) edges.set("k", { client: "a", server: "b", connectionType: "", virtualNode: "", requests: 0, failed: 0, buckets: [0, 0, 0, 0], ...edge });
  return { ts, summary: { red: new Map([["api\u0000GET", red]]), redBounds: BOUNDS, edges, edgeBounds: BOUNDS }, spansReceived: spans };
}

describe("liveView", () => {
  test("without a baseline: no rates, figures since the series started", () => {
    const v = liveView(HEAD, snap(10_000, 10, 5, [0, 10, 10, 10]), undefined, undefined, null);
    expect(v.windowSeconds).toBeNull();
    expect(v.red).toEqual([{ service: "api", spanName: "GET", calls: 10, rate: null, errorRatio: 0.5, sinceStart: true, p50: expect.closeTo(0.15, 12), p95: expect.closeTo(0.195, 12), p99: expect.closeTo(0.199, 12) }]);
    expect(v.health).toBeNull();
  });

  test("with a baseline: rate, error ratio and quantiles of what happened in between", () => {
    // 10 s apart: 20 more calls, 2 of them errors, all in (0.2, 0.4]
    const v = liveView(HEAD, snap(20_000, 30, 7, [0, 10, 30, 30], 130), snap(10_000, 10, 5, [0, 10, 10, 10], 100), undefined, null);
    expect(v.windowSeconds).toBe(10);
    const r = v.red[0];
    expect({ rate: r.rate, errorRatio: r.errorRatio, sinceStart: r.sinceStart, calls: r.calls }).toEqual({ rate: 2, errorRatio: 0.1, sinceStart: false, calls: 30 });
    expect(r.p50).toBeCloseTo(0.3, 12);
  });

  test("a quiet window: rate 0, the rest since start", () => {
    const v = liveView(HEAD, snap(20_000, 10, 5, [0, 10, 10, 10]), snap(10_000, 10, 5, [0, 10, 10, 10]), undefined, null);
    expect(v.red[0]).toMatchObject({ rate: 0, errorRatio: 0.5, sinceStart: true, p50: expect.closeTo(0.15, 12) });
  });

  test("a counter that went down restarted from zero (a series removed as stale and created again)", () => {
    const v = liveView(HEAD, snap(20_000, 4, 0, [4, 4, 4, 4]), snap(10_000, 10, 5, [0, 10, 10, 10]), undefined, null);
    expect(v.red[0]).toMatchObject({ rate: 0.4, errorRatio: 0, sinceStart: false, p50: 0.05 });
  });

  test("edges and nodes get the same treatment; spans/s comes from the received counter", () => {
    const health = { spansReceived: 130, discarded: [], activeSeries: 3, maxActiveSeries: 0, seriesLimited: 0, remoteWrite: [] };
    const v = liveView(
      HEAD,
      snap(20_000, 0, 0, [0, 0, 0, 0], 130, { requests: 25, failed: 5, buckets: [0, 20, 20, 20] }),
      snap(10_000, 0, 0, [0, 0, 0, 0], 100, { requests: 5, failed: 1, buckets: [0, 5, 5, 5] }),
      health,
      null,
    );
    expect(v.edges).toEqual([
      { client: "a", server: "b", connectionType: "", virtualNode: "", requests: 25, rate: 2, errorRatio: 0.2, sinceStart: false, p50: expect.closeTo(0.15, 12), p95: expect.closeTo(0.195, 12) },
    ]);
    expect(v.nodes.map((n) => [n.id, n.rate, n.errorRatio])).toEqual([
      ["a", null, null],
      ["b", 2, 0.2],
    ]);
    expect(v.health?.spansRate).toBe(3);
  });

  test("only the busiest operations travel: most calls in the window, then most calls overall", () => {
    const row = (service: string, calls: number): [string, RedRow] => [`${service}\u0000GET`, { service, spanName: "GET", calls, errors: 0, buckets: [calls, calls, calls, calls] }];
    const at = (ts: number, rows: [string, RedRow][]): Snapshot => ({ ts, summary: { red: new Map(rows), redBounds: BOUNDS, edges: new Map(), edgeBounds: BOUNDS }, spansReceived: 0 });
    const saved = LIMITS.red;
    LIMITS.red = 2;
    try {
      // c has the most calls overall, but a and b grew in the window
      const v = liveView(HEAD, at(20_000, [row("a", 50), row("b", 20), row("c", 900)]), at(10_000, [row("a", 10), row("b", 0), row("c", 900)]), undefined, null);
      expect(v.red.map((r) => r.service)).toEqual(["a", "b"]);
      expect(v.redTotal).toBe(3);
      // without a window: most calls since start
      const first = liveView(HEAD, at(20_000, [row("a", 50), row("b", 20), row("c", 900)]), undefined, undefined, null);
      expect(first.red.map((r) => r.service)).toEqual(["a", "c"]);
    } finally {
      LIMITS.red = saved;
    }
  });

  test("the busiest of many rows (chosen without sorting them all) are those a full sort picks, ties to the earlier row", () => {
    const rows: [string, RedRow][] = [];
    const baseRows: [string, RedRow][] = [];
    let x = 7;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) % 40;
    for (let i = 0; i < 5000; i++) {
      const base = rnd();
      const calls = base + rnd();
      const service = `s${String(i).padStart(5, "0")}`;
      rows.push([service, { service, spanName: "GET", calls, errors: 0, buckets: [calls, calls, calls, calls] }]);
      baseRows.push([service, { service, spanName: "GET", calls: base, errors: 0, buckets: [base, base, base, base] }]);
    }
    const at = (ts: number, r: [string, RedRow][]): Snapshot => ({ ts, summary: { red: new Map(r), redBounds: BOUNDS, edges: new Map(), edgeBounds: BOUNDS }, spansReceived: 0 });
    // what the full stable sort picks: most calls in the window, then most overall, then the earlier row
    const expected = rows
      .map(([, r], i) => ({ s: r.service, score: r.calls - baseRows[i][1].calls, total: r.calls, i }))
      .sort((a, b) => b.score - a.score || b.total - a.total || a.i - b.i)
      .slice(0, LIMITS.red)
      .map((r) => r.s)
      .sort();
    const v = liveView(HEAD, at(20_000, rows), at(10_000, baseRows), undefined, null);
    expect(v.red.map((r) => r.service)).toEqual(expected);
    expect(v.red).toHaveLength(LIMITS.red);
  });
});
