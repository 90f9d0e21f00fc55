import { PlinthError } from "../../core/errors.ts";
import type { CategoricalColumn } from "../../training/dataset/training-dataset.ts";
import type { CbpeEstimator } from "./cbpe.ts";
import { type MetricSettings, measureRows, type WindowPerformance } from "./window-metrics.ts";

/** What {@link computePerformance} measures. */
export interface PerformanceInput {
  readonly task: "binary" | "regression";
  /** The model's output: the positive-class probability (binary) or the predicted value. */
  readonly prediction: Float64Array;
  /** The label per row; NaN where it has not arrived yet (see `joinLabelsById`). */
  readonly label: Float64Array;
  /** When each prediction was made, epoch milliseconds. */
  readonly timestamp: Float64Array;
  /** Window length in milliseconds (e.g. 3_600_000 for hourly). */
  readonly windowMs: number;
  /** Start of the first window (default: the earliest timestamp rounded down to a multiple of windowMs). */
  readonly origin?: number;
  /** Columns to slice by (country, model version, …): metrics per window per value. */
  readonly slices?: readonly CategoricalColumn[];
  /** The deployment's decision threshold for precision and recall (default 0.5). */
  readonly threshold?: number;
  /** Bins of the calibration table and ECE (default 10). */
  readonly calibrationBins?: number;
  /** Binary: a CBPE estimator fitted on the reference, for estimates before labels arrive. */
  readonly cbpe?: CbpeEstimator;
  /** Most windows one call may produce (default 10,000), so a bad timestamp cannot allocate millions. */
  readonly maxWindows?: number;
  /** Most values per slice column, the most frequent (default 50); the rest are counted, not measured. */
  readonly maxSliceValues?: number;
}

/** Performance over time, overall and per slice. */
export interface PerformanceReport {
  readonly task: "binary" | "regression";
  readonly windowMs: number;
  readonly threshold: number;
  /** Rows whose timestamp is not a finite number: in no window, counted here. */
  readonly rowsWithoutTimestamp: number;
  /** Every window from the first to the last row's, empty ones included. */
  readonly overall: readonly WindowPerformance[];
  /** Per slice column and value, the same windows. */
  readonly slices: readonly {
    readonly column: string;
    readonly value: string | null;
    readonly windows: readonly WindowPerformance[];
  }[];
  /** Per slice column, values beyond `maxSliceValues` that were not measured. */
  readonly omittedSliceValues: Readonly<Record<string, number>>;
}

/**
 * Realised metrics per time window, overall and per slice, from columns of predictions,
 * delayed labels (NaN = not yet) and timestamps: label coverage; for binary models AUC, log
 * loss, ECE with its reliability table, precision and recall at the threshold, and CBPE's
 * estimates beside them; RMSE and MAE for regression. Rows with unusable predictions or labels
 * and windows with no rows are counted and explained in `notes`, never thrown, so a
 * scheduled job cannot be stopped by bad traffic.
 *
 * Throws MONITORING_INVALID_INPUT naming the field for malformed input: arrays of different
 * lengths, a window length that is not positive, a threshold or bin count out of range, or
 * more windows than `maxWindows`.
 */
export function computePerformance(input: PerformanceInput): PerformanceReport {
  const settings = validate(input);
  const n = input.prediction.length;
  const windowMs = input.windowMs;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let rowsWithoutTimestamp = 0;
  for (let i = 0; i < n; i++) {
    const t = input.timestamp[i] as number;
    if (!Number.isFinite(t)) rowsWithoutTimestamp++;
    else {
      if (t < first) first = t;
      if (t > last) last = t;
    }
  }
  const base = { task: input.task, windowMs, threshold: settings.threshold, rowsWithoutTimestamp };
  if (first > last) return { ...base, overall: [], slices: [], omittedSliceValues: {} };
  const origin = input.origin ?? Math.floor(first / windowMs) * windowMs;
  if (!Number.isFinite(origin) || origin > first) {
    throw invalid(
      "origin",
      `'origin' must be a finite time at or before the first row (${first}), got ${origin}`,
    );
  }
  const count = Math.floor((last - origin) / windowMs) + 1;
  const maxWindows = input.maxWindows ?? 10_000;
  if (count > maxWindows) {
    throw invalid(
      "windowMs",
      `The rows span ${count} windows of ${windowMs} ms; at most ${maxWindows} are allowed: use longer windows or fewer rows`,
    );
  }
  const windowOf = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const t = input.timestamp[i] as number;
    if (Number.isFinite(t)) windowOf[i] = Math.min(count - 1, Math.floor((t - origin) / windowMs));
  }
  const bounds = (w: number) => ({
    start: origin + w * windowMs,
    end: origin + (w + 1) * windowMs,
  });
  const measureGroups = (member: (row: number) => boolean): WindowPerformance[] => {
    const groups = groupByWindow(windowOf, count, member);
    return groups.map((rows, w) =>
      measureRows(rows, input.prediction, input.label, bounds(w), settings),
    );
  };
  const overall = measureGroups(() => true);
  const slices: PerformanceReport["slices"][number][] = [];
  const omittedSliceValues: Record<string, number> = {};
  const maxSliceValues = input.maxSliceValues ?? 50;
  for (const column of input.slices ?? []) {
    const codes = column.codes;
    const frequency = new Map<number, number>();
    for (const code of codes) frequency.set(code, (frequency.get(code) ?? 0) + 1);
    const kept = [...frequency].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, maxSliceValues);
    omittedSliceValues[column.name] = frequency.size - kept.length;
    for (const code of kept.map(([c]) => c).sort((a, b) => a - b)) {
      slices.push({
        column: column.name,
        value: code < 0 ? null : column.dictionary[code]!,
        windows: measureGroups((row) => codes[row] === code),
      });
    }
  }
  return { ...base, overall, slices, omittedSliceValues };
}

function groupByWindow(
  windowOf: Int32Array,
  count: number,
  member: (row: number) => boolean,
): Int32Array[] {
  const sizes = new Int32Array(count);
  for (let i = 0; i < windowOf.length; i++) {
    const w = windowOf[i] as number;
    if (w >= 0 && member(i)) sizes[w] = (sizes[w] as number) + 1;
  }
  const groups = Array.from(sizes, (size) => new Int32Array(size));
  const filled = new Int32Array(count);
  for (let i = 0; i < windowOf.length; i++) {
    const w = windowOf[i] as number;
    if (w >= 0 && member(i)) groups[w]![filled[w]!++] = i;
  }
  return groups;
}

function validate(input: PerformanceInput): MetricSettings {
  if (input.task !== "binary" && input.task !== "regression") {
    throw invalid("task", `'task' must be binary or regression, got '${String(input.task)}'`);
  }
  const n = input.prediction.length;
  for (const [field, values] of [
    ["label", input.label],
    ["timestamp", input.timestamp],
  ] as const) {
    if (values.length !== n)
      throw invalid(field, `'${field}' has ${values.length} values; 'prediction' has ${n}`);
  }
  for (const column of input.slices ?? []) {
    if (column.codes.length !== n) {
      throw invalid(
        `slices.${column.name}`,
        `Slice column '${column.name}' has ${column.codes.length} values; 'prediction' has ${n}`,
      );
    }
    if (column.codes.some((c) => c < -1 || c >= column.dictionary.length)) {
      throw invalid(
        `slices.${column.name}`,
        `Slice column '${column.name}' has a code outside its dictionary`,
      );
    }
  }
  if (!(Number.isFinite(input.windowMs) && input.windowMs > 0)) {
    throw invalid(
      "windowMs",
      `'windowMs' must be a positive number of milliseconds, got ${input.windowMs}`,
    );
  }
  const threshold = input.threshold ?? 0.5;
  if (!Number.isFinite(threshold))
    throw invalid("threshold", `'threshold' must be a finite number, got ${threshold}`);
  const maxSliceValues = input.maxSliceValues ?? 50;
  if (!(Number.isInteger(maxSliceValues) && maxSliceValues >= 1)) {
    throw invalid(
      "maxSliceValues",
      `'maxSliceValues' must be an integer >= 1, got ${maxSliceValues}`,
    );
  }
  const calibrationBins = input.calibrationBins ?? 10;
  if (!(Number.isInteger(calibrationBins) && calibrationBins >= 1 && calibrationBins <= 1000)) {
    throw invalid(
      "calibrationBins",
      `'calibrationBins' must be an integer from 1 to 1000, got ${calibrationBins}`,
    );
  }
  return { task: input.task, threshold, calibrationBins, cbpe: input.cbpe };
}

function invalid(field: string, message: string): PlinthError {
  return new PlinthError("MONITORING_INVALID_INPUT", message, { field });
}
