import { LOG_LOSS_EPS } from "./log-loss.ts";
import { requireWeights } from "./metric-input-checks.ts";
import { requireClassLabels, requireClassProbabilities } from "./multiclass-checks.ts";

/**
 * Mean multiclass cross-entropy, as scikit-learn's
 * `log_loss(yTrue, probs, eps=1e-15, labels=range(numClasses))`: each probability is clipped
 * to [1e-15, 1 - 1e-15] and each row renormalised to sum to 1 before taking the log of the
 * true class's share. `probs` is row-major, `numClasses` values per row.
 *
 * Throws TRAINING_INVALID_DATA when labels are not integers in [0, numClasses), `probs` is not
 * yTrue.length × numClasses or holds values outside [0, 1], or weights are bad;
 * INVALID_ARGUMENT when numClasses is not an integer >= 2.
 *
 * @example
 * multiclassLogLoss(new Float64Array([2, 0]), new Float64Array([0.1, 0.2, 0.7, 0.6, 0.3, 0.1]), 3);
 * // 0.4337502838523615
 */
export function multiclassLogLoss(
  yTrue: Float64Array,
  probs: Float64Array,
  numClasses: number,
  weight?: Float64Array,
): number {
  const n = requireClassLabels(yTrue, numClasses);
  requireClassProbabilities(probs, n, numClasses);
  const total = requireWeights(weight, n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const row = i * numClasses;
    let rowSum = 0;
    for (let k = 0; k < numClasses; k++) rowSum += clip(probs[row + k] as number);
    const loss = -Math.log(clip(probs[row + (yTrue[i] as number)] as number) / rowSum);
    sum += weight === undefined ? loss : (weight[i] as number) * loss;
  }
  return sum / total;
}

function clip(p: number): number {
  return Math.min(Math.max(p, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
}
