import {
  requireBinaryLabels,
  requireProbabilities,
  requireSameLength,
  requireWeights,
} from "./metric-input-checks.ts";

/**
 * Mean squared difference between 0/1 labels and positive-class probabilities, as
 * scikit-learn's `brier_score_loss`, optionally weighted. Lower is better.
 *
 * Throws TRAINING_INVALID_DATA on mismatched or empty arrays, non-0/1 labels, probabilities
 * outside [0, 1] or NaN, and bad weights.
 *
 * @example
 * brierScore(new Float64Array([1, 0]), new Float64Array([0.9, 0.2])); // 0.025
 */
export function brierScore(yTrue: Float64Array, prob: Float64Array, weight?: Float64Array): number {
  const n = requireSameLength(["yTrue", yTrue], ["prob", prob]);
  requireBinaryLabels("yTrue", yTrue);
  requireProbabilities("prob", prob);
  const total = requireWeights(weight, n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = (yTrue[i] as number) - (prob[i] as number);
    sum += weight === undefined ? d * d : (weight[i] as number) * d * d;
  }
  return sum / total;
}
