import { expect, test } from "bun:test";
import { ResetBucket } from "../../../src/receive/h2/reset-bucket.ts";

test("a burst of 1,000 resets, then 33 a second", () => {
  const b = new ResetBucket();
  const t0 = 1_000_000;
  for (let i = 0; i < 1000; i++) expect(b.take(t0)).toBe(true);
  expect(b.take(t0)).toBe(false);
  expect(b.take(t0 + 29)).toBe(false); // 0.96 of a token
  expect(b.take(t0 + 31)).toBe(true); // 33/s: one token after ~30 ms
  expect(b.take(t0 + 31)).toBe(false);
  // a quiet minute refills it, but never past the burst
  for (let i = 0; i < 1000; i++) expect(b.take(t0 + 60_000)).toBe(true);
  expect(b.take(t0 + 60_000)).toBe(false);
});
