import { invalidData } from "./metric-input-checks.ts";
import { requireRegressionInput } from "./regression-checks.ts";

/**
 * Coefficient of determination 1 − SS_res / SS_tot with optional weights, as scikit-learn's
 * `r2_score` (force_finite=True): a constant target gives 1 for a perfect prediction and 0
 * otherwise, instead of NaN or −Infinity.
 *
 * Throws TRAINING_INVALID_DATA on mismatched arrays, non-finite values, bad weights, and
 * fewer than two rows (scikit-learn warns and returns NaN there).
 *
 * @example
 * r2(new Float64Array([3, -0.5, 2, 7]), new Float64Array([2.5, 0, 2, 8])); // 0.9486081370449679
 */
export function r2(yTrue: Float64Array, yPred: Float64Array, weight?: Float64Array): number {
  const total = requireRegressionInput(yTrue, yPred, weight);
  const n = yTrue.length;
  if (n < 2) invalidData("yTrue", "'yTrue' has 1 row; R² needs at least two");
  let weightedSum = 0;
  for (let i = 0; i < n; i++) {
    weightedSum +=
      weight === undefined ? (yTrue[i] as number) : (weight[i] as number) * (yTrue[i] as number);
  }
  const mean = weightedSum / total;
  let residual = 0;
  let spread = 0;
  for (let i = 0; i < n; i++) {
    const w = weight === undefined ? 1 : (weight[i] as number);
    const y = yTrue[i] as number;
    residual += w * (y - (yPred[i] as number)) ** 2;
    spread += w * (y - mean) ** 2;
  }
  if (residual === 0) return 1;
  if (spread === 0) return 0;
  return 1 - residual / spread;
}
