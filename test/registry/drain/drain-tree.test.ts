import { expect, test } from "bun:test";
import { DRAIN_DEFAULTS, type DrainConfig } from "../../../src/registry/drain/drain-config.ts";
import { DrainCounters } from "../../../src/registry/drain/drain-counters.ts";
import { DrainTree } from "../../../src/registry/drain/drain-tree.ts";
import { tokenize } from "../../../src/registry/drain/line-tokenizer.ts";

/** A tree and a function training one name, returning its template (the name itself below the token bounds, as Tempo). */
function drain(config: Partial<DrainConfig> = {}) {
  const counters = new DrainCounters(DRAIN_DEFAULTS.maxTokens);
  const tree = new DrainTree({ ...DRAIN_DEFAULTS, ...config }, counters);
  const buf: string[] = [];
  const train = (name: string): string => {
    const n = tokenize(name, buf);
    if (n < DRAIN_DEFAULTS.minTokens || n > DRAIN_DEFAULTS.maxTokens) return name;
    return tree.train(buf, n, name).template;
  };
  return { tree, counters, train };
}

test("a data token goes to <_> in the tree at once, and a lookup takes <_> before the exact token", () => {
  const { train, counters } = drain();
  expect(train("GET /users/123")).toBe("GET /users/123");
  expect(train("GET /users/me")).toBe("GET /users/<_>");
  expect(counters.patternsDetected).toBe(1);
});

test("a full node sends further tokens to <_>, and from then on every lookup there (Tempo with MaxChildren 3)", () => {
  const { train } = drain({ maxChildren: 3 });
  expect(["alpha b c", "beta b c", "gamma b c", "alpha b c", "delta b c"].map(train)).toEqual([
    "alpha b c",
    "beta b c",
    "gamma b c",
    "<_> b c",
    "<_> b c",
  ]);
});

test("below LogClusterDepth − 2 = 28 levels, tokens are not in the path: names differing only there share a leaf", () => {
  const words = "a b c d e f g h i j k l m n o".split(" "); // 29 tokens + <END>
  const { train } = drain();
  const name = (w: string[]) => w.join(" ");
  expect(train(name(words))).toBe(name(words));
  // token 28 (the 15th word) is below the path: same leaf, merged
  expect(train(name([...words.slice(0, 14), "z"]))).toBe(name([...words.slice(0, 14), "<_>"]));
  // token 26 (the 14th word) is the last one in the path: another leaf, another cluster
  expect(train(name([...words.slice(0, 13), "y", "o"]))).toBe(name([...words.slice(0, 13), "y", "o"]));
});

test("in one leaf, a name less than 30 % similar to every cluster starts a new one (Tempo's answers)", () => {
  const { train, tree } = drain();
  expect(["%20%21%22%23", "%30%31%32%33", "%20%21%22%33", "%30%31%32%33"].map(train)).toEqual([
    "%20%21%22%23",
    "%30%31%32%33",
    "%20%21%22<_>",
    "%30%31%32%33",
  ]);
  expect(tree.liveClusters).toBe(2);
});

test("at the cluster cap a new cluster evicts one; the tree forgets evicted ones only at prune", () => {
  const { tree, counters, train } = drain({ maxClusters: 2 });
  train("GET /users/123");
  train("POST /orders/new");
  train("kafka.consume topic-3");
  expect(tree.liveClusters).toBe(2);
  expect(counters.patternsEvicted).toBe(1);
  expect(tree.clusters().filter((c) => !c.alive)).toEqual([]);
  // the evicted cluster's leaf entry is cleared at once (the object can go), dropped at prune with its branch
  const before = tree.census();
  expect([before.entries, before.clusters]).toEqual([3, 2]);
  tree.prune();
  const after = tree.census();
  expect([after.entries, after.clusters]).toEqual([2, 2]);
  expect(after.nodes).toBeLessThan(before.nodes);
});

test("a name whose cluster its lookup cannot reach makes one per call; the tree holds only live ones of them", () => {
  const { tree, counters, train } = drain({ maxClusters: 10 });
  train("123 a b"); // <_> node at the first level for 6-token names
  for (let k = 0; k < 1000; k++) expect(train("xyz q r")).toBe("xyz q r"); // inserted under "xyz", looked up under <_>
  expect(counters.patternsDetected).toBe(1001);
  expect(tree.liveClusters).toBe(10);
  expect(tree.census()).toMatchObject({ entries: 1001, clusters: 10 });
  tree.prune();
  expect(tree.census()).toMatchObject({ entries: 10, clusters: 10 });
});

test("until prune, a <_> node of an evicted cluster still routes lookups away from a new name's own cluster", () => {
  for (const pruneFirst of [false, true]) {
    const { tree, counters, train } = drain({ maxClusters: 1 });
    train("GET /users/123"); // makes the <_> node after /users/
    train("POST /orders/new"); // evicts it
    if (pruneFirst) tree.prune();
    train("GET /users/me");
    train("GET /users/me");
    // Without prune, the lookup goes to the dead <_> branch and never finds the exact-path cluster: one per call.
    expect({ pruneFirst, detected: counters.patternsDetected }).toEqual({ pruneFirst, detected: pruneFirst ? 3 : 4 });
  }
});

test("a cluster generalises in place: positions that differ become <_> (Tempo's answers)", () => {
  const { train } = drain();
  expect(["1 x 2", "1 x 3", "4 x 2"].map(train)).toEqual(["1 x 2", "1 x <_>", "<_> x <_>"]);
});

test("equally similar clusters: the one with more parameters wins, even if it came second (Tempo's answers)", () => {
  const { train } = drain();
  // Every token is data, so all four share one leaf; A and B are 1/6 similar, so they stay apart.
  expect(["%20%21%22%23%24", "%30%31%32%33%34", "%30%31%32%33%35", "%20%21%32%33%36"].map(train)).toEqual([
    "%20%21%22%23%24",
    "%30%31%32%33%34",
    "%30%31%32%33<_>",
    "<_><_>%32%33<_>", // 3/6 similar to both; B has a parameter, A none
  ]);
});
