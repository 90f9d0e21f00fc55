import { requireRegressionInput } from "./regression-checks.ts";

/**
 * Root of the (weighted) mean squared error, as scikit-learn's
 * `mean_squared_error(squared=False)`. Throws TRAINING_INVALID_DATA on mismatched or empty
 * arrays, non-finite values and bad weights.
 *
 * @example
 * rmse(new Float64Array([3, -0.5, 2, 7]), new Float64Array([2.5, 0, 2, 8])); // 0.6123724356957945
 */
export function rmse(yTrue: Float64Array, yPred: Float64Array, weight?: Float64Array): number {
  const total = requireRegressionInput(yTrue, yPred, weight);
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const d = (yTrue[i] as number) - (yPred[i] as number);
    sum += weight === undefined ? d * d : (weight[i] as number) * d * d;
  }
  return Math.sqrt(sum / total);
}
