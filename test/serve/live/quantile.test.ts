import { describe, expect, test } from "bun:test";
import { bucketQuantile } from "../../../src/serve/live/quantile.ts";

const BOUNDS = [0.1, 0.2, 0.4, 0.8];

describe("bucketQuantile (PromQL histogram_quantile over classic buckets)", () => {
  test.each([
    // 10 observations, all in (0.1, 0.2]: linear inside that bucket
    { q: 0.5, cum: [0, 10, 10, 10, 10], want: 0.15 },
    { q: 0.95, cum: [0, 10, 10, 10, 10], want: 0.195 },
    // the first bucket starts at 0
    { q: 0.5, cum: [4, 4, 4, 4, 4], want: 0.05 },
    // rank exactly on a bucket's cumulative count: that bucket's upper bound
    { q: 0.5, cum: [5, 10, 10, 10, 10], want: 0.1 },
    // spread: rank 9 of 10 lands in (0.2, 0.4] holding counts 7..9
    { q: 0.9, cum: [2, 7, 9, 10, 10], want: 0.4 },
    { q: 0.8, cum: [2, 7, 9, 10, 10], want: 0.2 + 0.2 * ((8 - 7) / 2) },
    // rank in +Inf: the highest finite bound, as Prometheus answers
    { q: 0.99, cum: [0, 0, 0, 1, 10], want: 0.8 },
  ])("q=$q over $cum is $want", ({ q, cum, want }) => {
    expect(bucketQuantile(q, BOUNDS, cum)).toBeCloseTo(want, 12);
  });

  test("no observations, or buckets that do not fit the bounds, give NaN", () => {
    expect(bucketQuantile(0.5, BOUNDS, [0, 0, 0, 0, 0])).toBeNaN();
    expect(bucketQuantile(0.5, BOUNDS, [1, 2, 3])).toBeNaN();
  });

  test("q outside [0, 1] gives ∓Inf like PromQL", () => {
    expect(bucketQuantile(-0.1, BOUNDS, [1, 1, 1, 1, 1])).toBe(Number.NEGATIVE_INFINITY);
    expect(bucketQuantile(1.5, BOUNDS, [1, 1, 1, 1, 1])).toBe(Number.POSITIVE_INFINITY);
  });
});
