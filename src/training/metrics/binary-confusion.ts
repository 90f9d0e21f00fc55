import { invalidArgument } from "../../core/errors.ts";
import {
  requireBinaryLabels,
  requireFinite,
  requireSameLength,
  requireWeights,
} from "./metric-input-checks.ts";

/** Options for the metrics that turn a probability into a 0/1 prediction. */
export interface ThresholdOptions {
  /** A row is predicted positive when `prob >= threshold` (default 0.5). */
  readonly threshold?: number;
  /** Optional non-negative row weights. */
  readonly weight?: Float64Array;
}

/** Weighted confusion counts of a thresholded binary prediction. */
export interface BinaryConfusion {
  readonly truePositive: number;
  readonly falsePositive: number;
  readonly trueNegative: number;
  readonly falseNegative: number;
}

/**
 * Weighted confusion counts of `prob >= threshold` against 0/1 labels; the one pass behind
 * accuracy, precision, recall and F1. `prob` may be any finite score, so a margin with
 * threshold 0 works as well as a probability with 0.5.
 *
 * Throws TRAINING_INVALID_DATA on mismatched or empty arrays, non-0/1 labels, non-finite
 * `prob` and bad weights; INVALID_ARGUMENT when `threshold` is not finite.
 *
 * @example
 * binaryConfusion(new Float64Array([1, 0, 1]), new Float64Array([0.7, 0.6, 0.2]));
 * // { truePositive: 1, falsePositive: 1, trueNegative: 0, falseNegative: 1 }
 */
export function binaryConfusion(
  yTrue: Float64Array,
  prob: Float64Array,
  options: ThresholdOptions = {},
): BinaryConfusion {
  const { threshold = 0.5, weight } = options;
  if (!Number.isFinite(threshold)) {
    throw invalidArgument("threshold", `expected a finite number, got ${threshold}`);
  }
  const n = requireSameLength(["yTrue", yTrue], ["prob", prob]);
  requireBinaryLabels("yTrue", yTrue);
  requireFinite("prob", prob);
  requireWeights(weight, n);
  let truePositive = 0;
  let falsePositive = 0;
  let trueNegative = 0;
  let falseNegative = 0;
  for (let i = 0; i < n; i++) {
    const w = weight === undefined ? 1 : (weight[i] as number);
    const predicted = (prob[i] as number) >= threshold;
    if (yTrue[i] === 1) {
      if (predicted) truePositive += w;
      else falseNegative += w;
    } else if (predicted) falsePositive += w;
    else trueNegative += w;
  }
  return { truePositive, falsePositive, trueNegative, falseNegative };
}
