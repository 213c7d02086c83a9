import { expect, test } from "bun:test";
import { LogCluster } from "../../../src/registry/drain/log-cluster.ts";
import { LEAF_VERSION, META, NameCache, STRIDE } from "../../../src/registry/drain/name-cache.ts";
import { TreeNode } from "../../../src/registry/drain/tree-node.ts";

test("at capacity the oldest name is overwritten, so the cache never holds more than capacity names", () => {
  const c = new NameCache(3);
  const slots = ["a", "b", "c"].map((n) => c.claim(n));
  expect(slots).toEqual([0, 1, 2]);
  expect(c.claim("d")).toBe(0);
  expect(c.index.has("a")).toBe(false);
  expect(c.claim("e")).toBe(1);
  expect([...c.index.entries()].sort()).toEqual([
    ["c", 2],
    ["d", 0],
    ["e", 1],
  ]);
  expect(c.keys.length).toBe(3);
});

test("the per-slot arrays grow to the capacity and keep what was stored", () => {
  const c = new NameCache(5000);
  for (let i = 0; i < 5000; i++) {
    const slot = c.claim(`n${i}`);
    c.state[slot * STRIDE + META] = i & 0x7f;
    c.state[slot * STRIDE + LEAF_VERSION] = i;
  }
  expect(c.state.length).toBe(5000 * STRIDE);
  expect(c.state[1234 * STRIDE + LEAF_VERSION]).toBe(1234);
  expect(c.state[1234 * STRIDE + META]).toBe(1234 & 0x7f);
  c.claim("one more");
  expect(c.index.size).toBe(5000);
  expect(c.state.length).toBe(5000 * STRIDE);
});

test("a cache of less than one name is a configuration error", () => {
  expect(() => new NameCache(0)).toThrow("cacheSize must be at least 1, got 0");
});

test("forgetDead drops references to evicted clusters only", () => {
  const c = new NameCache(4);
  const live = new LogCluster(["a", " ", "b", "<END>"], "a b", new TreeNode(), "<_>");
  const dead = new LogCluster(["c", " ", "d", "<END>"], "c d", new TreeNode(), "<_>");
  dead.alive = false;
  c.cluster[c.claim("a b")] = live;
  c.cluster[c.claim("c d")] = dead;
  c.forgetDead();
  expect(c.cluster).toEqual([live, null]);
  expect(c.index.size).toBe(2);
});
