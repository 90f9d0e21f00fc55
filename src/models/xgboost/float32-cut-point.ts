const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/**
 * The float64 threshold `c` such that `x < c` holds exactly when `Math.fround(x) < t`, for
 * every float64 `x` (NaN aside): XGBoost casts each input to float32 before comparing it with
 * a float32 split condition, so a float64 input just below `t` that rounds up to `t` goes
 * right there. Comparing the unrounded input with `c` reproduces that without rounding
 * anything on the hot path.
 *
 * `t` must be a float32 value (`Math.fround(t) === t`). The result is the smallest float64
 * that rounds (to nearest, ties to even) to `t` or above: the midpoint between `t` and the
 * float32 below it when that midpoint rounds up, else the next float64 above the midpoint.
 *
 * @example
 * const c = float32CutPoint(Math.fround(0.1));
 * // 0.1 - 1e-10 < Math.fround(0.1) as float64, but rounds to it in float32: goes right
 * c <= 0.1 - 1e-10; // true
 */
export function float32CutPoint(t: number): number {
  if (t === Number.NEGATIVE_INFINITY) return t;
  // Overflowing inputs round to +-Infinity; 2^128 stands in for them in the midpoint.
  const below = t === -3.4028234663852886e38 ? -(2 ** 128) : previousFloat32(t);
  const top = t === Number.POSITIVE_INFINITY ? 2 ** 128 : t;
  const mid = (below + top) / 2; // exact: adjacent float32 values differ in 25 bits at most
  return Math.fround(mid) >= t ? mid : nextFloat64Up(mid);
}

/** The largest float32 below a float32 `t` (t > -max float32, not NaN). */
function previousFloat32(t: number): number {
  if (t === Number.POSITIVE_INFINITY) return 3.4028234663852886e38;
  if (t === 0) return -(2 ** -149);
  f32[0] = t;
  u32[0] = t > 0 ? (u32[0] as number) - 1 : (u32[0] as number) + 1;
  return f32[0] as number;
}

/** The next float64 above a finite non-zero `x`. */
function nextFloat64Up(x: number): number {
  f64[0] = x;
  u64[0] = x > 0 ? (u64[0] as bigint) + 1n : (u64[0] as bigint) - 1n;
  return f64[0] as number;
}
