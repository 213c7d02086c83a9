import { describe, expect, test } from "bun:test";
import { OVERFLOW_VALUE } from "../../src/registry/label-limiter.ts";
import type { LabelSet } from "../../src/registry/label-set.ts";
import { Registry, type RegistryOptions } from "../../src/registry/registry.ts";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const NAMES = ["service", "span_name", "job", "status_code"];
/** service and job only change between ResourceSpans */
const RESOURCE = [0, 2];

function registry(over: Partial<RegistryOptions> = {}): Registry {
  return new Registry({
    externalLabels: {},
    maxLabelNameLength: 1024,
    maxLabelValueLength: 2048,
    staleDurationMs: 1000,
    maxActiveSeries: () => 0,
    traceIdLabelName: "traceID",
    ...over,
  });
}

/** Whether every trie node from the set up to the root still holds the one below it (not a detached branch). */
function attached(ls: LabelSet): boolean {
  let child: unknown = ls;
  let key = ls.trieKey;
  let node = ls.trieParent;
  while (node !== null) {
    if (node.children.get(key) !== child) return false;
    child = node;
    key = node.keyInParent;
    node = node.parent;
  }
  return ls.trieParent !== null;
}

function labels(ls: LabelSet | null): string {
  if (ls === null) return "null";
  return ls.labels.join(",");
}

describe("resource-constant levels walked once per ResourceSpans (enterResource)", () => {
  test("every span resolves to the set a schema without the prefix finds, across resources old and new", () => {
    const withPrefix = registry();
    const plain = registry();
    const a = withPrefix.fixedSchema(NAMES, RESOURCE);
    const b = plain.fixedSchema(NAMES);
    const seen = new Map<string, LabelSet>();
    for (let round = 0; round < 3; round++) {
      for (const svc of ["api", "db", "web", "api"]) {
        const values = [svc, "", `${svc}-job`, ""];
        a.enterResource(values);
        for (let i = 0; i < 20; i++) {
          values[1] = `op${i % 7}`;
          values[3] = i % 5 === 0 ? "STATUS_CODE_ERROR" : "STATUS_CODE_UNSET";
          const got = a.resolve(values);
          expect(labels(got)).toBe(labels(b.resolve(values)));
          // the same values give the same set every time, with or without the prefix walked
          const key = values.join("|");
          const first = seen.get(key);
          if (first === undefined) seen.set(key, got as LabelSet);
          else expect(got).toBe(first);
        }
      }
    }
    expect(withPrefix.labelSets).toBe(plain.labelSets);
    expect(withPrefix.labelSets).toBe(seen.size);
    expect(seen.size).toBeGreaterThan(30);
  });

  test("a prefix node emptied by a release mid-resource is not used: the next span finds a live set", () => {
    const r = registry({ staleDurationMs: 1000 });
    const s = r.fixedSchema(NAMES, RESOURCE);
    const c = r.counter("c_total");
    const values = ["api", "op", "api-job", "STATUS_CODE_UNSET"];
    s.enterResource(values);
    const first = s.resolve(values) as LabelSet;
    c.add(first, 1, T0);
    s.enterResource(values); // the path exists now: the prefix node is taken
    // the only series goes stale: its set is released and the whole path detached
    r.removeStale(T0 + 5000);
    expect(first.pruned).toBe(true);
    const again = s.resolve(values) as LabelSet;
    expect(again).not.toBe(first);
    expect(again.pruned).toBe(false);
    // linked where a walk from the root finds it (not under the detached branch), so its own release detaches it
    expect(attached(again)).toBe(true);
    c.add(again, 2, T0 + 5000);
    // reachable from the root, as a fresh walk finds it
    s.enterResource(values);
    expect(s.resolve(values)).toBe(again);
  });

  test("a limited resource label's overflow value is not looked up under the resource's own value", () => {
    const r = registry({ maxCardinalityPerLabel: () => 20, externalLabels: {} });
    const s = r.fixedSchema(NAMES, RESOURCE);
    for (let i = 0; i < 100; i++) {
      const v = [`svc${i}`, "op", "job", ""];
      s.enterResource(v);
      s.resolve(v);
    }
    r.maintain();
    const values = ["svc1", "op", "job", ""];
    s.enterResource(values);
    const ls = s.resolve(values) as LabelSet;
    expect(ls.labels).toEqual(["job", "job", "service", OVERFLOW_VALUE, "span_name", "op"]);
    const other = ["svc2", "op", "job", ""];
    s.enterResource(other);
    expect(s.resolve(other)).toBe(ls);
  });
});

describe("the branch each trie node took last", () => {
  test("a released branch is never taken again from memory: the next span's set is live and reachable from the root", () => {
    const r = registry({ staleDurationMs: 1000 });
    const s = r.fixedSchema(["a", "b"]);
    const c = r.counter("c_total");
    const xy = s.resolve(["x", "y"]) as LabelSet;
    const xz = s.resolve(["x", "z"]) as LabelSet;
    expect(s.resolve(["x", "z"])).toBe(xz);
    c.add(xy, 1, T0);
    c.add(xz, 1, T0);
    r.removeStale(T0 + 5000);
    expect([xy.pruned, xz.pruned]).toEqual([true, true]);
    for (const values of [["x", "z"], ["x", "y"]]) {
      const again = s.resolve(values) as LabelSet;
      expect(again.pruned).toBe(false);
      expect(attached(again)).toBe(true);
      expect(s.resolve(values)).toBe(again);
    }
  });

  test("alternating branches resolve to their own sets", () => {
    const r = registry();
    const s = r.fixedSchema(["a", "b"]);
    const sets = new Map<string, LabelSet>();
    for (let n = 0; n < 50; n++) {
      const values = [`a${n % 3}`, `b${n % 4}`];
      const ls = s.resolve(values) as LabelSet;
      expect(ls.labels).toEqual(["a", values[0], "b", values[1]]);
      const k = values.join();
      if (!sets.has(k)) sets.set(k, ls);
      expect(ls).toBe(sets.get(k) as LabelSet);
    }
    expect(r.labelSets).toBe(12);
  });
});
