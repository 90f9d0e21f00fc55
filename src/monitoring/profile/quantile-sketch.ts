/**
 * A mergeable quantile sketch in the style of DDSketch (Masson, Rim & Lee, VLDB 2019) with a
 * log-linear bucket mapping: a finite double falls in the bucket named by its sign, its
 * exponent and the top SKETCH_MANTISSA_BITS bits of its mantissa. Every bucket spans at most
 * 1/128 of its lower bound, so the midpoint answer for any quantile is within
 * SKETCH_RELATIVE_ACCURACY (1/256 ≈ 0.39%) of the exact quantile's value:
 *
 *   |sketchQuantile(s, q) − x_q| ≤ |x_q| / 256,   x_q = the ⌈q·n⌉-th smallest value
 *
 * (values below 2^-1022, i.e. zero and subnormals, share one bucket and come back as ~0).
 * The bound is on the answer's value, not its rank: the answer always lies in the bucket that
 * holds the exact quantile, so its rank is off by at most that bucket's count. A KLL sketch
 * would bound the rank instead, but its per-value sorting costs several times this sketch's
 * one array increment, and its merges are only approximately associative.
 * The counts are exact, so merging is exact, associative and commutative: a day's sketch
 * merged from hourly ones is identical to the day's sketch built directly. No randomness,
 * so no seed.
 */
export interface QuantileSketch {
  /** Bucket ordinals, strictly increasing in value order. */
  readonly buckets: Int32Array;
  /** Values in each bucket, parallel to `buckets`. */
  readonly counts: Float64Array;
  /** Total values: the sum of `counts`. */
  readonly count: number;
}

/** Mantissa bits kept in a bucket key. */
export const SKETCH_MANTISSA_BITS = 7;
/** The documented bound on an answer's relative error: half a bucket's relative width. */
export const SKETCH_RELATIVE_ACCURACY = 2 ** -(SKETCH_MANTISSA_BITS + 1);

/** A double's high 32-bit word is sign (1), exponent (11) and mantissa (20) bits. */
const SHIFT = 20 - SKETCH_MANTISSA_BITS;
/** Number of distinct keys (sign + exponent + kept mantissa bits). */
export const SKETCH_KEY_SPACE = 1 << (32 - SHIFT);
const HALF = SKETCH_KEY_SPACE >>> 1;

export const EMPTY_SKETCH: QuantileSketch = {
  buckets: new Int32Array(0),
  counts: new Float64Array(0),
  count: 0,
};

/**
 * Adds every finite value of `values` to `dense`, a scratch count array of SKETCH_KEY_SPACE
 * entries indexed by raw key. Reads the high words through a Uint32Array view, so the hot
 * loop does no arithmetic on the value at all.
 */
export function countIntoDense(values: Float64Array, dense: Uint32Array): void {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x - x !== 0) continue; // NaN or ±Infinity
    const key = (words[2 * i + 1] as number) >>> SHIFT;
    dense[key] = (dense[key] as number) + 1;
  }
}

/** Collects a dense scratch array into a sketch and zeroes the scratch for its next use. */
export function sketchFromDense(dense: Uint32Array): QuantileSketch {
  let occupied = 0;
  for (let key = 0; key < SKETCH_KEY_SPACE; key++) if (dense[key] !== 0) occupied++;
  const buckets = new Int32Array(occupied);
  const counts = new Float64Array(occupied);
  let next = 0;
  // Value order: negative keys from the largest magnitude down, then positive keys up.
  for (let key = SKETCH_KEY_SPACE - 1; key >= HALF; key--) {
    const c = dense[key] as number;
    if (c === 0) continue;
    buckets[next] = SKETCH_KEY_SPACE - 1 - key;
    counts[next++] = c;
    dense[key] = 0;
  }
  for (let key = 0; key < HALF; key++) {
    const c = dense[key] as number;
    if (c === 0) continue;
    buckets[next] = HALF + key;
    counts[next++] = c;
    dense[key] = 0;
  }
  let count = 0;
  for (let b = 0; b < occupied; b++) count += counts[b] as number;
  return { buckets, counts, count };
}

/**
 * The sketch of the finite values of `values`.
 *
 * @example
 * const s = sketchOf(new Float64Array([1, 2, 3, 4]));
 * sketchQuantile(s, 0.5); // 2
 */
export function sketchOf(values: Float64Array): QuantileSketch {
  const dense = new Uint32Array(SKETCH_KEY_SPACE);
  countIntoDense(values, dense);
  return sketchFromDense(dense);
}

/** Exact merge: bucket counts add. */
export function mergeSketches(a: QuantileSketch, b: QuantileSketch): QuantileSketch {
  const buckets = new Int32Array(a.buckets.length + b.buckets.length);
  const counts = new Float64Array(buckets.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.buckets.length || j < b.buckets.length) {
    const x = i < a.buckets.length ? (a.buckets[i] as number) : Number.POSITIVE_INFINITY;
    const y = j < b.buckets.length ? (b.buckets[j] as number) : Number.POSITIVE_INFINITY;
    buckets[n] = Math.min(x, y);
    counts[n] = (x <= y ? (a.counts[i++] as number) : 0) + (y <= x ? (b.counts[j++] as number) : 0);
    n++;
  }
  return { buckets: buckets.slice(0, n), counts: counts.slice(0, n), count: a.count + b.count };
}

/**
 * The value at quantile `q` in [0, 1] by nearest rank (the ⌈q·n⌉-th smallest, NumPy's
 * `inverted_cdf`), as its bucket's midpoint clamped into [min, max], the column's exact
 * extremes, so q = 0 and q = 1 are exact. NaN for an empty sketch.
 */
export function sketchQuantile(sketch: QuantileSketch, q: number, min = -Infinity, max = Infinity) {
  if (sketch.count === 0) return Number.NaN;
  if (q <= 0 && min > -Infinity) return min;
  if (q >= 1 && max < Infinity) return max;
  const rank = Math.max(1, Math.ceil(q * sketch.count));
  let seen = 0;
  for (let b = 0; b < sketch.buckets.length; b++) {
    seen += sketch.counts[b] as number;
    if (seen >= rank) return Math.min(max, Math.max(min, bucketMidpoint(sketch.buckets[b]!)));
  }
  return Math.min(max, Math.max(min, bucketMidpoint(sketch.buckets[sketch.buckets.length - 1]!)));
}

/** The midpoint of a bucket: the value its members are answered with. */
export function bucketMidpoint(ordinal: number): number {
  const [lower, upper] = bucketBounds(ordinal);
  const mid = lower / 2 + upper / 2;
  return Number.isFinite(mid) ? mid : lower;
}

/** The [lower, upper) value range of a bucket ((lower, upper] for negative buckets). */
export function bucketBounds(ordinal: number): [number, number] {
  if (ordinal >= HALF) {
    const magnitude = ordinal - HALF;
    return [fromHighWord(magnitude << SHIFT), fromHighWord((magnitude + 1) << SHIFT)];
  }
  const magnitude = HALF - 1 - ordinal;
  return [-fromHighWord((magnitude + 1) << SHIFT), -fromHighWord(magnitude << SHIFT)];
}

const scratchFloat = new Float64Array(1);
const scratchWords = new Uint32Array(scratchFloat.buffer);

function fromHighWord(high: number): number {
  scratchWords[0] = 0;
  scratchWords[1] = high >>> 0;
  return scratchFloat[0] as number;
}
