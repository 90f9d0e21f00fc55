import {
  requireBinaryLabels,
  requirePositiveInteger,
  requireProbabilities,
  requireSameLength,
  requireWeights,
} from "./metric-input-checks.ts";

/** Options for {@link expectedCalibrationError}. */
export interface CalibrationOptions {
  /** Number of equal-width bins on [0, 1] (default 10). */
  readonly bins?: number;
  /** Optional non-negative row weights. */
  readonly weight?: Float64Array;
}

/**
 * Expected calibration error of positive-class probabilities: rows fall into `bins`
 * equal-width bins on [0, 1], and the result is the weight-averaged |observed positive rate −
 * mean probability| over non-empty bins. Bin b holds b/bins <= p < (b+1)/bins, the last bin
 * also holds p = 1; edges are exactly `b / bins`, so a probability on an edge goes up.
 * Lower is better; scikit-learn has no equivalent.
 *
 * Throws TRAINING_INVALID_DATA on mismatched or empty arrays, non-0/1 labels, probabilities
 * outside [0, 1] or NaN, and bad weights; INVALID_ARGUMENT when `bins` is not an integer >= 1.
 *
 * @example
 * expectedCalibrationError(new Float64Array([1, 0, 1, 1]), new Float64Array([0.9, 0.1, 0.8, 0.6]), {
 *   bins: 2,
 * }); // ≈ 0.2
 */
export function expectedCalibrationError(
  yTrue: Float64Array,
  prob: Float64Array,
  options: CalibrationOptions = {},
): number {
  const { bins = 10, weight } = options;
  requirePositiveInteger("bins", bins);
  const n = requireSameLength(["yTrue", yTrue], ["prob", prob]);
  requireBinaryLabels("yTrue", yTrue);
  requireProbabilities("prob", prob);
  const total = requireWeights(weight, n);

  const binWeight = new Float64Array(bins);
  const binPositive = new Float64Array(bins);
  const binProb = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const p = prob[i] as number;
    const b = binOf(p, bins);
    const w = weight === undefined ? 1 : (weight[i] as number);
    binWeight[b] = (binWeight[b] as number) + w;
    binPositive[b] = (binPositive[b] as number) + w * (yTrue[i] as number);
    binProb[b] = (binProb[b] as number) + w * p;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const w = binWeight[b] as number;
    if (w === 0) continue;
    ece += (w / total) * Math.abs((binPositive[b] as number) / w - (binProb[b] as number) / w);
  }
  return ece;
}

/**
 * floor(p * bins) can land one bin off next to an edge because p * bins rounds; nudging it
 * against the exact edges b / bins keeps the documented intervals (and the fixture's
 * brute force) authoritative.
 */
function binOf(p: number, bins: number): number {
  let b = Math.min(Math.floor(p * bins), bins - 1);
  while (b > 0 && p < b / bins) b--;
  while (b < bins - 1 && p >= (b + 1) / bins) b++;
  return b;
}
