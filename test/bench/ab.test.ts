import { expect, test } from "bun:test";
import { abCompare } from "./ab.ts";
import { REPO_ROOT } from "../support/setup.ts";

test("ab pairs two checkouts round by round (this one against itself on the quick corpus)", async () => {
  const r = await abCompare([REPO_ROOT, "--rounds", "6", "--corpus", "quick-base", REPO_ROOT, "--target-info"]);
  // one warm-up round is dropped, every other round gives one pair
  expect(r.a.length).toBe(5);
  expect(r.b.length).toBe(5);
  for (const v of [...r.a, ...r.b]) expect(v).toBeGreaterThan(1000);
  expect(r.bestRatio).toBeGreaterThan(0);
  expect(Number.isFinite(r.medianRatio)).toBe(true);
  await expect(abCompare([REPO_ROOT])).rejects.toThrow("usage");
}, 120_000);
