import {
  requireBinaryLabels,
  requireProbabilities,
  requireSameLength,
  requireWeights,
} from "./metric-input-checks.ts";

/**
 * Probabilities are clipped to [eps, 1 - eps] so a confident mistake costs ~34.5 nats instead
 * of Infinity. 1e-15 is scikit-learn's historical default (`eps=1e-15`, used by XGBoost and
 * LightGBM too); scikit-learn 1.2 changed its default to `eps="auto"` (2.2e-16 for float64),
 * which differs only for probabilities within 1e-15 of 0 or 1.
 */
export const LOG_LOSS_EPS = 1e-15;

/**
 * Mean binary cross-entropy of 0/1 labels against positive-class probabilities, as
 * scikit-learn's `log_loss(yTrue, prob, eps=1e-15)`, optionally weighted.
 *
 * Throws TRAINING_INVALID_DATA on mismatched or empty arrays, non-0/1 labels, probabilities
 * outside [0, 1] or NaN, and bad weights.
 *
 * @example
 * logLoss(new Float64Array([1, 0]), new Float64Array([0.9, 0.2])); // 0.164252033486018
 */
export function logLoss(yTrue: Float64Array, prob: Float64Array, weight?: Float64Array): number {
  const n = requireSameLength(["yTrue", yTrue], ["prob", prob]);
  requireBinaryLabels("yTrue", yTrue);
  requireProbabilities("prob", prob);
  const total = requireWeights(weight, n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    // scikit-learn clips p, forms the row [1 - p, p], then renormalises it; repeating those
    // steps exactly matters near 0 and 1, where 1 - (1 - eps) is not eps in floating point.
    const p = Math.min(Math.max(prob[i] as number, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
    const q = 1 - p;
    const rowSum = q + p;
    const loss = -Math.log((yTrue[i] === 1 ? p : q) / rowSum);
    sum += weight === undefined ? loss : (weight[i] as number) * loss;
  }
  return sum / total;
}
