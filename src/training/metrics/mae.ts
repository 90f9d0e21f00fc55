import { requireRegressionInput } from "./regression-checks.ts";

/**
 * (Weighted) mean absolute error, as scikit-learn's `mean_absolute_error`. Throws
 * TRAINING_INVALID_DATA on mismatched or empty arrays, non-finite values and bad weights.
 *
 * @example
 * mae(new Float64Array([3, -0.5, 2, 7]), new Float64Array([2.5, 0, 2, 8])); // 0.5
 */
export function mae(yTrue: Float64Array, yPred: Float64Array, weight?: Float64Array): number {
  const total = requireRegressionInput(yTrue, yPred, weight);
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const d = Math.abs((yTrue[i] as number) - (yPred[i] as number));
    sum += weight === undefined ? d : (weight[i] as number) * d;
  }
  return sum / total;
}
