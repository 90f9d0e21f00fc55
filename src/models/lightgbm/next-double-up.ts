const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/**
 * The smallest float64 above a finite `t`: LightGBM sends `x <= t` left and TreeEnsemble
 * sends `x < threshold` left, and for every float64 `x`, `x <= t` holds exactly when
 * `x < nextDoubleUp(t)`. `nextDoubleUp(Number.MAX_VALUE)` is `Infinity`, which keeps that
 * true (`Infinity <= MAX_VALUE` is false, and so is `Infinity < Infinity`).
 *
 * @example
 * nextDoubleUp(0.5); // 0.5000000000000001
 * nextDoubleUp(0); // 5e-324: -0 and 0 both go left, as `x <= 0` sends them
 */
export function nextDoubleUp(t: number): number {
  if (!Number.isFinite(t)) throw new Error(`nextDoubleUp needs a finite number, got ${t}`);
  if (t === 0) return Number.MIN_VALUE;
  f64[0] = t;
  u64[0] = t > 0 ? (u64[0] as bigint) + 1n : (u64[0] as bigint) - 1n;
  return f64[0] as number;
}
