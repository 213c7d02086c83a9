import { describe, expect, test } from "bun:test";
import { KafkaProgress } from "../../src/receive/kafka/kafka-progress.ts";
import type { KafkaSource } from "../../src/receive/kafka/kafka-source.ts";

/** A source that only records commits (and refuses them on demand). */
function source(processed: Map<string, bigint> = new Map()) {
  const commits: Record<string, string>[] = [];
  let refuse = false;
  const s = {
    processed: () => processed,
    commit: async (offsets: ReadonlyMap<string, bigint>) => {
      if (refuse) throw new Error("coordinator not available");
      commits.push(Object.fromEntries([...offsets].map(([k, v]) => [k, String(v)])));
      return offsets;
    },
  } as unknown as KafkaSource;
  return { s, commits, refuse: (v: boolean) => (refuse = v) };
}

const m = (o: Record<string, number>) => new Map(Object.entries(o).map(([k, v]) => [k, BigInt(v)]));

describe("exactly-once Kafka offsets (commit only what every tenant's checkpoint holds)", () => {
  test("nothing is committed while a tenant has no checkpoint on disk yet", async () => {
    const { s, commits } = source();
    const p = new KafkaProgress(s);
    p.addTenant("a", undefined);
    p.addTenant("b", undefined);
    await p.durableFor("a", m({ "t/0": 10 }));
    expect(commits).toEqual([]);
  });

  test("the commit is the lowest offset over the tenants' checkpoints, per partition", async () => {
    const { s, commits } = source();
    const p = new KafkaProgress(s);
    p.addTenant("a", undefined);
    p.addTenant("b", undefined);
    await p.durableFor("a", m({ "t/0": 10, "t/1": 7 }));
    await p.durableFor("b", m({ "t/0": 6, "t/1": 9 }));
    expect(commits).toEqual([{ "t/0": "6", "t/1": "7" }]);
    // only what moved forward is committed again
    await p.durableFor("b", m({ "t/0": 12, "t/1": 9 }));
    expect(commits.at(-1)).toEqual({ "t/0": "10" });
  });

  test("a partition one tenant's checkpoint does not cover yet is not committed", async () => {
    const { s, commits } = source();
    const p = new KafkaProgress(s);
    p.addTenant("a", undefined);
    p.addTenant("b", undefined);
    await p.durableFor("a", m({ "t/0": 5, "t/1": 5 }));
    await p.durableFor("b", m({ "t/0": 5 }));
    expect(commits).toEqual([{ "t/0": "5" }]);
  });

  test("a failed commit is retried by the next checkpoint", async () => {
    const { s, commits, refuse } = source();
    const p = new KafkaProgress(s);
    p.addTenant("a", undefined);
    refuse(true);
    await p.durableFor("a", m({ "t/0": 5 }));
    refuse(false);
    await p.durableFor("a", m({ "t/0": 5 }));
    expect([commits, p.commitFailures]).toEqual([[{ "t/0": "5" }], 1]);
  });

  test("after a restore, records before a tenant's checkpoint offset are skipped for that tenant only", () => {
    const { s } = source();
    const p = new KafkaProgress(s);
    p.addTenant("a", m({ "t/0": 100 }));
    p.addTenant("b", m({ "t/0": 80 }));
    expect([99n, 100n].map((o) => p.alreadyCounted("a", "t", 0, o))).toEqual([true, false]);
    expect([79n, 80n, 99n].map((o) => p.alreadyCounted("b", "t", 0, o))).toEqual([true, false, false]);
    expect(p.alreadyCounted("a", "t", 1, 0n)).toBe(false);
    expect(p.alreadyCounted("new-tenant", "t", 0, 0n)).toBe(false);
    expect(p.skippedReplays).toBe(2);
  });

  test("a restored tenant's offsets hold the commit back until it writes a newer checkpoint", async () => {
    const { s, commits } = source();
    const p = new KafkaProgress(s);
    p.addTenant("a", m({ "t/0": 100 }));
    p.addTenant("b", m({ "t/0": 80 }));
    await p.durableFor("a", m({ "t/0": 120 }));
    expect(commits).toEqual([{ "t/0": "80" }]);
  });
});
