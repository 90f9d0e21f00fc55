import { binaryConfusion } from "../../training/metrics/binary-confusion.ts";
import { expectedCalibrationError } from "../../training/metrics/expected-calibration-error.ts";
import { logLoss } from "../../training/metrics/log-loss.ts";
import { mae } from "../../training/metrics/mae.ts";
import { precisionOf } from "../../training/metrics/precision.ts";
import { rmse } from "../../training/metrics/rmse.ts";
import { rocAuc } from "../../training/metrics/roc-auc.ts";
import { type CbpeEstimate, type CbpeEstimator, estimateCbpe } from "./cbpe.ts";
import { type ReliabilityBin, reliabilityTable } from "./reliability-table.ts";

/** Realised metrics of one window (or slice of it); null where they cannot be computed. */
export interface RealisedMetrics {
  /** Binary: ROC AUC (needs both classes among the labelled rows). */
  readonly auc: number | null;
  readonly logLoss: number | null;
  /** Expected calibration error over equal-width bins. */
  readonly ece: number | null;
  /** At the deployment's threshold. */
  readonly precision: number | null;
  readonly recall: number | null;
  /** Regression. */
  readonly rmse: number | null;
  readonly mae: number | null;
}

/** Everything measured for one set of rows. */
export interface WindowPerformance {
  /** Window start and end, epoch milliseconds: [start, end). */
  readonly start: number;
  readonly end: number;
  /** Rows in the window. */
  readonly rows: number;
  /** Rows with a usable prediction (finite; a probability in [0, 1] for binary). */
  readonly scored: number;
  /** Rows whose prediction is NaN, infinite or (binary) outside [0, 1]: left out, counted. */
  readonly invalidPredictions: number;
  /** Scored rows whose label has arrived. */
  readonly labelled: number;
  /** Labels present but unusable (binary: not 0/1; regression: infinite): left out, counted. */
  readonly invalidLabels: number;
  /** labelled / scored; null for a window with nothing scored. */
  readonly labelCoverage: number | null;
  readonly metrics: RealisedMetrics;
  /** Binary: predicted against observed rates; null without labels. */
  readonly reliability: readonly ReliabilityBin[] | null;
  /** Binary with a CBPE estimator: the estimate from scores alone, beside the realised values. */
  readonly estimated: CbpeEstimate | null;
  /** Why a metric is null, in words. */
  readonly notes: readonly string[];
}

/** What every window is measured with. */
export interface MetricSettings {
  readonly task: "binary" | "regression";
  readonly threshold: number;
  readonly calibrationBins: number;
  readonly cbpe: CbpeEstimator | undefined;
}

const NO_METRICS: RealisedMetrics = {
  auc: null,
  logLoss: null,
  ece: null,
  precision: null,
  recall: null,
  rmse: null,
  mae: null,
};

/** Measures the rows `rows` (indices into the columns) of one window. */
export function measureRows(
  rows: Int32Array,
  prediction: Float64Array,
  label: Float64Array,
  bounds: { readonly start: number; readonly end: number },
  settings: MetricSettings,
): WindowPerformance {
  const binary = settings.task === "binary";
  const scoredRows: number[] = [];
  const labelledRows: number[] = [];
  let invalidPredictions = 0;
  let invalidLabels = 0;
  for (const row of rows) {
    const p = prediction[row] as number;
    if (!(Number.isFinite(p) && (!binary || (p >= 0 && p <= 1)))) {
      invalidPredictions++;
      continue;
    }
    scoredRows.push(row);
    const y = label[row] as number;
    if (Number.isNaN(y)) continue;
    if (binary ? y !== 0 && y !== 1 : !Number.isFinite(y)) invalidLabels++;
    else labelledRows.push(row);
  }
  const notes: string[] = [];
  if (rows.length === 0) notes.push("no rows in this window");
  else if (scoredRows.length === 0) notes.push("no row has a usable prediction");
  else if (labelledRows.length === 0) notes.push("no labels have arrived yet");
  if (invalidPredictions > 0)
    notes.push(`${invalidPredictions} predictions are NaN, infinite or outside the valid range`);
  if (invalidLabels > 0)
    notes.push(`${invalidLabels} labels are not valid ${binary ? "0/1 values" : "finite numbers"}`);
  const y = Float64Array.from(labelledRows, (r) => label[r] as number);
  const p = Float64Array.from(labelledRows, (r) => prediction[r] as number);
  let metrics = NO_METRICS;
  let reliability: ReliabilityBin[] | null = null;
  if (labelledRows.length > 0) {
    if (binary) {
      const c = binaryConfusion(y, p, { threshold: settings.threshold });
      const positives = c.truePositive + c.falseNegative;
      const bothClasses = positives > 0 && positives < labelledRows.length;
      if (!bothClasses)
        notes.push(
          `AUC needs both classes; the labelled rows are all ${positives > 0 ? "positive" : "negative"}`,
        );
      metrics = {
        ...NO_METRICS,
        auc: bothClasses ? rocAuc(y, p) : null,
        logLoss: logLoss(y, p),
        ece: expectedCalibrationError(y, p, { bins: settings.calibrationBins }),
        precision: precisionOf(c.truePositive, c.falsePositive),
        recall: positives === 0 ? null : c.truePositive / positives,
      };
      reliability = reliabilityTable(y, p, settings.calibrationBins);
    } else {
      metrics = { ...NO_METRICS, rmse: rmse(y, p), mae: mae(y, p) };
    }
  }
  const estimated =
    binary && settings.cbpe !== undefined && scoredRows.length > 0
      ? estimateCbpe(
          settings.cbpe,
          Float64Array.from(scoredRows, (r) => prediction[r] as number),
          {
            threshold: settings.threshold,
          },
        )
      : null;
  return {
    start: bounds.start,
    end: bounds.end,
    rows: rows.length,
    scored: scoredRows.length,
    invalidPredictions,
    labelled: labelledRows.length,
    invalidLabels,
    labelCoverage: scoredRows.length === 0 ? null : labelledRows.length / scoredRows.length,
    metrics,
    reliability,
    estimated,
    notes,
  };
}
