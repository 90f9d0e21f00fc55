/**
 * Count, extremes and centred second moment of the finite values of a column. Stored as the
 * sum of squared deviations (`m2`) rather than a variance so that two sets of moments merge
 * exactly as one pass over both would have computed them (Chan, Golub & LeVeque's pairwise
 * update), without the cancellation of sum-of-squares formulas.
 */
export interface NumericMoments {
  /** Finite values counted. */
  readonly count: number;
  /** Smallest finite value; +Infinity when `count` is 0. */
  readonly min: number;
  /** Largest finite value; -Infinity when `count` is 0. */
  readonly max: number;
  /** Mean of the finite values; 0 when `count` is 0. */
  readonly mean: number;
  /** Sum of squared deviations from `mean`. */
  readonly m2: number;
}

/** The moments of no values. */
export const EMPTY_MOMENTS: NumericMoments = {
  count: 0,
  min: Number.POSITIVE_INFINITY,
  max: Number.NEGATIVE_INFINITY,
  mean: 0,
  m2: 0,
};

/**
 * Moments of `a` and `b` together: exact up to rounding, whatever the split, so hourly
 * moments merge into the daily ones.
 *
 * @example
 * mergeMoments(momentsOf([1, 2]), momentsOf([3])).mean; // 2
 */
export function mergeMoments(a: NumericMoments, b: NumericMoments): NumericMoments {
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  return {
    count,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    mean: a.mean + (delta * b.count) / count,
    m2: a.m2 + b.m2 + ((delta * delta * a.count) / count) * b.count,
  };
}

/**
 * Moments of the finite values of `values` (NaN and ±Infinity skipped), in two passes: the
 * mean first, then squared deviations from it, which is the numerically stable order.
 */
export function momentsOf(values: ArrayLike<number>): NumericMoments {
  let count = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x - x !== 0) continue; // NaN or ±Infinity
    count++;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (count === 0) return EMPTY_MOMENTS;
  const mean = sum / count;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x - x !== 0) continue;
    const d = x - mean;
    m2 += d * d;
  }
  return { count, min, max, mean, m2 };
}

/**
 * Variance of the counted values with `ddof` delta degrees of freedom (0: population, as
 * NumPy's default; 1: sample, as pandas'); null when `count <= ddof`.
 */
export function varianceOf(moments: NumericMoments, ddof: 0 | 1 = 1): number | null {
  return moments.count > ddof ? moments.m2 / (moments.count - ddof) : null;
}
