import { requireWeights } from "./metric-input-checks.ts";
import { requireClassLabels, requireClassProbabilities } from "./multiclass-checks.ts";

/**
 * Weighted fraction of rows whose most probable class is the label, as scikit-learn's
 * `accuracy_score(yTrue, probs.argmax(axis=1))`. A tie between classes goes to the lowest
 * class index, as NumPy's argmax does. `probs` is row-major, `numClasses` values per row.
 *
 * Throws like `multiclassLogLoss`.
 *
 * @example
 * multiclassAccuracy(new Float64Array([2, 1]), new Float64Array([0.1, 0.2, 0.7, 0.6, 0.3, 0.1]), 3);
 * // 0.5
 */
export function multiclassAccuracy(
  yTrue: Float64Array,
  probs: Float64Array,
  numClasses: number,
  weight?: Float64Array,
): number {
  const n = requireClassLabels(yTrue, numClasses);
  requireClassProbabilities(probs, n, numClasses);
  const total = requireWeights(weight, n);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const row = i * numClasses;
    let best = 0;
    for (let k = 1; k < numClasses; k++) {
      if ((probs[row + k] as number) > (probs[row + best] as number)) best = k;
    }
    if (best === yTrue[i]) correct += weight === undefined ? 1 : (weight[i] as number);
  }
  return correct / total;
}
