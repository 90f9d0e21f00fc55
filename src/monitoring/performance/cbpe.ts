import { PlinthError } from "../../core/errors.ts";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { rocAuc } from "../../training/metrics/roc-auc.ts";
import { calibrateIsotonic, fitIsotonic, type IsotonicCalibrator } from "./isotonic-calibrator.ts";

/**
 * Confidence-based performance estimation (NannyML's CBPE): if the model's probabilities are
 * calibrated, a row scored p is a positive with probability p, so expected confusion counts,
 * and from them AUC, precision and recall, follow from the scores alone, before any label
 * arrives. The calibration is fitted once on labelled reference data.
 */
export interface CbpeEstimator {
  /** The isotonic map applied to scores first; null when the scores are used as they are. */
  readonly calibrator: IsotonicCalibrator | null;
}

/** How {@link fitCbpe} calibrates the reference scores. */
export type CbpeCalibration = "auto" | "isotonic" | "none";

/** CBPE's estimates for one set of rows. */
export interface CbpeEstimate {
  /** Estimated ROC AUC; null without both expected classes. */
  readonly auc: number | null;
  /** Estimated precision at the threshold (0 when nothing is predicted positive). */
  readonly precision: number;
  /** Estimated recall at the threshold (0 when no positive is expected). */
  readonly recall: number;
  /** Mean calibrated probability: the expected positive rate. */
  readonly expectedPositiveRate: number;
}

/**
 * Fits CBPE on reference scores and labels. `calibration`:
 * - `isotonic`: always fit an isotonic calibrator (NannyML's calibrator);
 * - `none`: trust the model's probabilities;
 * - `auto` (default): NannyML's `needs_calibration` rule — calibrate unless the reference has
 *   one class or AUC > 0.999, or the isotonic map fails to lower the equal-frequency ECE on
 *   held-out data in 10 stratified 90/10 splits. The splits are plinth's own, seeded, so the
 *   decision is reproducible; NannyML draws them with scikit-learn's generator.
 *
 * @example
 * const cbpe = fitCbpe(referenceScores, referenceLabels);
 * estimateCbpe(cbpe, todaysScores, { threshold: 0.5 }).auc;
 */
export function fitCbpe(
  scores: Float64Array,
  labels: Float64Array,
  calibration: CbpeCalibration = "auto",
): CbpeEstimator {
  if (calibration !== "auto" && calibration !== "isotonic" && calibration !== "none") {
    throw new PlinthError(
      "MONITORING_INVALID_INPUT",
      `'calibration' must be auto, isotonic or none, got '${String(calibration)}'`,
      {
        field: "calibration",
      },
    );
  }
  const calibrator = fitIsotonic(scores, labels); // also validates the input
  if (calibration === "none") return { calibrator: null };
  if (calibration === "isotonic") return { calibrator };
  return { calibrator: needsCalibration(scores, labels) ? calibrator : null };
}

/** CBPE's estimates for current scores (non-finite scores are the caller's to drop). */
export function estimateCbpe(
  estimator: CbpeEstimator,
  scores: Float64Array,
  options: { readonly threshold?: number } = {},
): CbpeEstimate {
  const threshold = options.threshold ?? 0.5;
  const p =
    estimator.calibrator === null ? scores : calibrateIsotonic(estimator.calibrator, scores);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let total = 0;
  for (let i = 0; i < p.length; i++) {
    const probability = p[i] as number;
    total += probability;
    if ((scores[i] as number) >= threshold) {
      tp += probability;
      fp += 1 - probability;
    } else fn += probability;
  }
  return {
    auc: estimatedRocAuc(p, scores),
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: tp + fn === 0 ? 0 : tp / (tp + fn),
    expectedPositiveRate: p.length === 0 ? 0 : total / p.length,
  };
}

/**
 * Expected ROC AUC from calibrated probabilities `p`, ranking rows by the model's `scores`:
 * walking scores from high to low, expected true positives grow by p and expected false
 * positives by 1 − p, and the area is integrated by trapezoids (NannyML's
 * `estimate_roc_auc`). Equal scores form one step, as in `roc_auc_score`, so the estimate does
 * not depend on how ties happen to be ordered (NannyML's sort leaves that arbitrary, and it
 * rounds the running sums to 5 decimals, which plinth does not). Equivalently
 * Σᵢⱼ pⱼ(1 − pᵢ)·[sⱼ > sᵢ, ½ if equal] / (Σp · Σ(1 − p)).
 */
export function estimatedRocAuc(p: Float64Array, scores: Float64Array): number | null {
  const n = p.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += p[i] as number;
  const negatives = n - positives;
  if (!(positives > 0 && negatives > 0)) return null;
  let area = 0;
  let tp = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    let stepTp = 0;
    let stepFp = 0;
    while (end < n && scores[order[end]!] === scores[order[start]!]) {
      stepTp += p[order[end]!] as number;
      stepFp += 1 - (p[order[end]!] as number);
      end++;
    }
    area += (stepFp / negatives) * ((tp + stepTp / 2) / positives);
    tp += stepTp;
    start = end;
  }
  return area;
}

/** NannyML's `needs_calibration`, with seeded stratified splits (see `fitCbpe`). */
function needsCalibration(scores: Float64Array, labels: Float64Array): boolean {
  const positives: number[] = [];
  const negatives: number[] = [];
  for (const [i, y] of labels.entries()) (y === 1 ? positives : negatives).push(i);
  if (positives.length === 0 || negatives.length === 0) return false;
  if (rocAuc(labels, scores) > 0.999) return false;
  const rng = createSeededRandom(42);
  const heldY: number[] = [];
  const heldRaw: number[] = [];
  const heldCalibrated: number[] = [];
  for (let split = 0; split < 10; split++) {
    const test = new Set<number>();
    for (const group of [positives, negatives]) {
      const shuffled = [...group];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      for (const i of shuffled.slice(0, Math.max(1, Math.round(group.length * 0.1)))) test.add(i);
    }
    const train = [...scores.keys()].filter((i) => !test.has(i));
    if (train.length === 0) return false;
    const calibrator = fitIsotonic(
      Float64Array.from(train, (i) => scores[i]!),
      Float64Array.from(train, (i) => labels[i]!),
    );
    const testRows = [...test];
    const calibrated = calibrateIsotonic(
      calibrator,
      Float64Array.from(testRows, (i) => scores[i]!),
    );
    testRows.forEach((row, k) => {
      heldY.push(labels[row]!);
      heldRaw.push(scores[row]!);
      heldCalibrated.push(calibrated[k]!);
    });
  }
  const before = equalFrequencyEce(heldY, heldRaw);
  const after = equalFrequencyEce(heldY, heldCalibrated);
  return before !== null && after !== null && before > after;
}

/**
 * ECE over 10 equal-count bins of rows sorted by probability (NannyML's
 * `_calculate_expected_calibration_error` with `_get_bin_index_edges`); null below 4 rows.
 */
function equalFrequencyEce(y: readonly number[], p: readonly number[]): number | null {
  const n = p.length;
  let bins = 10;
  if (n <= 2 * bins) bins = Math.floor(n / 2);
  if (bins < 2) return null;
  const width = Math.floor(n / bins);
  // Edges 0, w, 2w, … ≤ n with the last moved to n: ⌊n / w⌋ bins, the last taking the rest.
  const count = Math.floor(n / width);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  let ece = 0;
  for (let b = 0; b < count; b++) {
    const from = b * width;
    const to = b === count - 1 ? n : from + width;
    let meanP = 0;
    let meanY = 0;
    for (let k = from; k < to; k++) {
      meanP += p[order[k]!]!;
      meanY += y[order[k]!]!;
    }
    ece += ((to - from) / n) * Math.abs(meanP / (to - from) - meanY / (to - from));
  }
  return ece;
}
