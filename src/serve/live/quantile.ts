/**
 * The φ-quantile of a classic histogram, computed as PromQL's
 * histogram_quantile does it (linear interpolation inside the bucket the rank
 * falls in, 0 as the lower bound of the first bucket, the highest finite
 * bound when the rank falls in +Inf), so the page shows what a dashboard on
 * the same series shows.
 *
 * `bounds` are the finite upper bounds in ascending order; `cumulative` has
 * one count per bound plus the +Inf bucket last. NaN when there is nothing to
 * interpolate (no observations).
 */
export function bucketQuantile(q: number, bounds: readonly number[], cumulative: ArrayLike<number>): number {
  const n = cumulative.length;
  if (n < 2 || n !== bounds.length + 1) return Number.NaN;
  const count = cumulative[n - 1];
  if (!(count > 0)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const rank = q * count;
  // first bucket (+Inf excluded) whose cumulative count reaches the rank
  let b = 0;
  while (b < n - 1 && cumulative[b] < rank) b++;
  if (b === n - 1) return bounds[n - 2];
  if (b === 0 && bounds[0] <= 0) return bounds[0];
  const start = b === 0 ? 0 : bounds[b - 1];
  const below = b === 0 ? 0 : cumulative[b - 1];
  const inBucket = cumulative[b] - below;
  return start + (bounds[b] - start) * ((rank - below) / inBucket);
}
