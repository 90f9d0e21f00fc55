/** Cumulative weighted counts at each distinct score, highest score first. */
export interface BinaryClfCurve {
  /** Number of distinct scores; the arrays below are this long. */
  readonly length: number;
  /** Weight of negatives scored at or above the i-th distinct score. */
  readonly falsePositives: Float64Array;
  /** Weight of positives scored at or above the i-th distinct score. */
  readonly truePositives: Float64Array;
}

/**
 * The threshold sweep under ROC AUC and average precision, as scikit-learn's
 * `_binary_clf_curve`: rows sorted by descending score, and tied scores collapsed into one
 * threshold, so a tie contributes a diagonal step instead of an order-dependent staircase.
 * Inputs are assumed validated (0/1 labels, finite scores, non-negative weights).
 *
 * @example
 * const curve = binaryClfCurve(new Float64Array([0, 1, 1]), new Float64Array([0.2, 0.7, 0.7]));
 * // curve.truePositives = [2, 2], curve.falsePositives = [0, 1]
 */
export function binaryClfCurve(
  yTrue: Float64Array,
  yScore: Float64Array,
  weight?: Float64Array,
): BinaryClfCurve {
  const n = yTrue.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (yScore[b] as number) - (yScore[a] as number));

  const falsePositives = new Float64Array(n);
  const truePositives = new Float64Array(n);
  let length = 0;
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r] as number;
    const w = weight === undefined ? 1 : (weight[i] as number);
    if (yTrue[i] === 1) tp += w;
    else fp += w;
    // Emit a point only after the last row of a run of equal scores.
    const next = order[r + 1];
    if (next === undefined || yScore[next] !== yScore[i]) {
      truePositives[length] = tp;
      falsePositives[length] = fp;
      length++;
    }
  }
  return {
    length,
    falsePositives: falsePositives.subarray(0, length),
    truePositives: truePositives.subarray(0, length),
  };
}
