import { PlinthError } from "../../core/errors.ts";

/**
 * A fitted isotonic (monotone non-decreasing) map from model scores to probabilities, as
 * scikit-learn's `IsotonicRegression(out_of_bounds="clip")`: piecewise linear between its
 * knots, constant beyond the fitted range.
 */
export interface IsotonicCalibrator {
  /** Knot scores, increasing. */
  readonly x: Float64Array;
  /** Calibrated probability at each knot, non-decreasing. */
  readonly y: Float64Array;
}

/** scikit-learn merges scores closer than this (`np.finfo(float64).resolution`). */
const TIE_RESOLUTION = 1e-15;

/**
 * Fits the calibrator on reference scores and 0/1 labels: sort by score, average the labels
 * of equal scores, pool adjacent violators (weighted PAVA), then keep only the knots where the
 * fitted value changes. Throws MONITORING_INVALID_INPUT naming the array for mismatched or
 * empty input, non-finite scores or labels other than 0 and 1.
 *
 * @example
 * const calibrator = fitIsotonic(referenceScores, referenceLabels);
 * const probabilities = calibrateIsotonic(calibrator, currentScores);
 */
export function fitIsotonic(scores: Float64Array, labels: Float64Array): IsotonicCalibrator {
  const n = scores.length;
  if (n === 0) throw invalid("scores", "Calibration needs at least one labelled reference row");
  if (labels.length !== n)
    throw invalid("labels", `'labels' has ${labels.length} values; 'scores' has ${n}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i]!))
      throw invalid(
        "scores",
        `Reference score at row ${i} is ${scores[i]}; expected a finite number`,
      );
    if (labels[i] !== 0 && labels[i] !== 1)
      throw invalid("labels", `Reference label at row ${i} is ${labels[i]}; expected 0 or 1`);
  }
  // Sort by (score, label), as scikit-learn's lexsort.
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => scores[a]! - scores[b]! || labels[a]! - labels[b]!,
  );
  const ux: number[] = [];
  const uy: number[] = [];
  const uw: number[] = [];
  let currentX = scores[order[0]!]!;
  let sumY = 0;
  let weight = 0;
  for (const i of order) {
    const x = scores[i]!;
    if (x - currentX >= TIE_RESOLUTION) {
      ux.push(currentX);
      uy.push(sumY / weight);
      uw.push(weight);
      currentX = x;
      sumY = 0;
      weight = 0;
    }
    sumY += labels[i]!;
    weight += 1;
  }
  ux.push(currentX);
  uy.push(sumY / weight);
  uw.push(weight);
  const fitted = poolAdjacentViolators(Float64Array.from(uy), Float64Array.from(uw));
  // Drop interior knots equal to both neighbours: they do not change the interpolation.
  const keepX: number[] = [];
  const keepY: number[] = [];
  for (let i = 0; i < fitted.length; i++) {
    const interior = i > 0 && i < fitted.length - 1;
    if (interior && fitted[i] === fitted[i - 1] && fitted[i] === fitted[i + 1]) continue;
    keepX.push(ux[i]!);
    keepY.push(fitted[i]!);
  }
  return { x: Float64Array.from(keepX), y: Float64Array.from(keepY) };
}

/**
 * Calibrated probabilities for `scores`: clipped into the fitted range, then interpolated
 * linearly between knots exactly as SciPy's `interp1d` (slope × offset + left value).
 * Non-finite scores come back NaN.
 */
export function calibrateIsotonic(
  calibrator: IsotonicCalibrator,
  scores: Float64Array,
): Float64Array {
  const { x, y } = calibrator;
  const k = x.length;
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (!Number.isFinite(s)) {
      out[i] = Number.NaN;
      continue;
    }
    if (k === 1) {
      out[i] = y[0] as number;
      continue;
    }
    const t = Math.min(Math.max(s, x[0] as number), x[k - 1] as number);
    let lo = 0;
    let hi = k;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((x[mid] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    const right = Math.min(Math.max(lo, 1), k - 1);
    const left = right - 1;
    const slope =
      ((y[right] as number) - (y[left] as number)) / ((x[right] as number) - (x[left] as number));
    out[i] = slope * (t - (x[left] as number)) + (y[left] as number);
  }
  return out;
}

/**
 * Weighted pool-adjacent-violators in one pass with back-tracking (Best & Chakravarti's
 * active-set formulation, scikit-learn's `_inplace_contiguous_isotonic_regression`).
 */
function poolAdjacentViolators(y: Float64Array, w: Float64Array): Float64Array {
  const n = y.length;
  const target = Int32Array.from({ length: n }, (_, i) => i);
  let i = 0;
  while (i < n) {
    let k = (target[i] as number) + 1;
    if (k === n) break;
    if ((y[i] as number) < (y[k] as number)) {
      i = k;
      continue;
    }
    let sumWy = (w[i] as number) * (y[i] as number);
    let sumW = w[i] as number;
    for (;;) {
      const previous = y[k] as number;
      sumWy += (w[k] as number) * (y[k] as number);
      sumW += w[k] as number;
      k = (target[k] as number) + 1;
      if (k === n || previous < (y[k] as number)) {
        y[i] = sumWy / sumW;
        w[i] = sumW;
        target[i] = k - 1;
        target[k - 1] = i;
        if (i > 0) i = target[i - 1] as number;
        break;
      }
    }
  }
  for (let start = 0; start < n; ) {
    const end = (target[start] as number) + 1;
    y.fill(y[start] as number, start + 1, end);
    start = end;
  }
  return y;
}

function invalid(field: string, message: string): PlinthError {
  return new PlinthError("MONITORING_INVALID_INPUT", message, { field });
}
