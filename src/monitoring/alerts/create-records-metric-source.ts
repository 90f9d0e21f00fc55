import type { PredictionQuery } from "../../serving/prediction-log/prediction-log-reader.ts";
import type { PredictionRecord } from "../../serving/prediction-log/prediction-record.ts";
import type { FeatureColumn, NumericColumn } from "../../training/dataset/training-dataset.ts";
import { computeDrift } from "../drift/compute-drift.ts";
import type { DriftOptions } from "../drift/drift-options.ts";
import type { CbpeEstimator } from "../performance/cbpe.ts";
import { computePerformance } from "../performance/compute-performance.ts";
import type { MetricSource } from "./metric-source.ts";

/** The column name the prediction is tested under in the drift table. */
const PREDICTION_COLUMN = "__prediction__";

/** What a deployment's drift is measured against: its training data. */
export interface DriftReference {
  readonly features: readonly FeatureColumn[];
  /** The model's outputs on the reference rows, for `prediction_drift`. */
  readonly prediction?: Float64Array;
  readonly options?: DriftOptions;
}

/** What a records-based metric source reads. */
export interface RecordsMetricSourceOptions {
  /** A window's logged predictions (a PredictionLogReader's `read`). */
  readonly read: (query: PredictionQuery) => Promise<readonly PredictionRecord[]>;
  /** The deployment's drift reference; undefined: drift metrics are no_data. */
  readonly reference?: (deployment: string) => Promise<DriftReference | undefined>;
  /** Labels aligned with `records`, NaN where none has arrived; absent: performance metrics are no_data. */
  readonly labels?: (
    deployment: string,
    records: readonly PredictionRecord[],
  ) => Promise<Float64Array>;
  /** binary (default) or regression, for performance metrics. */
  readonly task?: "binary" | "regression";
  /** The output holding the prediction (default `score`; a `probabilities` pair gives its second value). */
  readonly output?: string;
  /** Binary: the CBPE estimator of the deployment, for `estimated_auc`. */
  readonly cbpe?: (deployment: string) => Promise<CbpeEstimator | undefined>;
  /** The deployment's decision threshold (default 0.5). */
  readonly threshold?: number;
}

/**
 * Window metrics from logged prediction records with plinth's own statistics: counts, the
 * mean prediction and per-feature missing rates from the records; drift against the
 * reference with computeDrift (Evidently's defaults); AUC, log loss, RMSE and label coverage
 * with computePerformance on the labels that have arrived, and CBPE's estimated AUC. Shadow
 * variants' records are left out: alerts are about the traffic callers see.
 *
 * @example
 * const source = createRecordsMetricSource({ read: (q) => reader.read(q), reference: async () => training });
 * await source.values({ deployment: "fraud", from, to, metrics: ["drift_share"] });
 */
export function createRecordsMetricSource(options: RecordsMetricSourceOptions): MetricSource {
  const output = options.output ?? "score";
  return {
    async values(query) {
      const records = (
        await options.read({ deployment: query.deployment, from: query.from, to: query.to })
      ).filter((r) => !r.shadow);
      const out: Record<string, number | null> = {};
      for (const m of query.metrics) out[m] = null;
      const n = records.length;
      if (query.metrics.includes("prediction_count")) out.prediction_count = n;
      if (n === 0) return out;
      const prediction = Float64Array.from(records, (r) => predictionOf(r, output));

      const wanted = new Set(query.metrics);
      if (wanted.has("prediction_mean")) {
        let sum = 0;
        let count = 0;
        for (const p of prediction) {
          if (!Number.isFinite(p)) continue;
          sum += p;
          count++;
        }
        out.prediction_mean = count === 0 ? null : sum / count;
      }
      for (const m of wanted) {
        if (!m.startsWith("missing_rate:")) continue;
        const f = m.slice("missing_rate:".length);
        let present = 0;
        let missing = 0;
        for (const r of records) {
          if (!Object.hasOwn(r.features, f)) continue;
          present++;
          const v = r.features[f];
          if (v === null || (typeof v === "number" && Number.isNaN(v))) missing++;
        }
        // A feature no record carries is unknown to the log: no data, not 100% missing.
        out[m] = present === 0 ? null : (missing + (n - present)) / n;
      }

      const driftMetrics = [...wanted].filter(
        (m) => m === "drift_share" || m === "prediction_drift" || m.startsWith("feature_drift:"),
      );
      if (driftMetrics.length > 0 && options.reference !== undefined) {
        const reference = await options.reference(query.deployment);
        if (reference !== undefined) {
          const current = reference.features.map((c) => currentColumn(c, records));
          const ref = [...reference.features];
          if (reference.prediction !== undefined) {
            ref.push({ kind: "numeric", name: PREDICTION_COLUMN, values: reference.prediction });
            current.push({ kind: "numeric", name: PREDICTION_COLUMN, values: prediction });
          }
          const table = computeDrift({
            reference: ref,
            current,
            ...(reference.prediction === undefined ? {} : { prediction: PREDICTION_COLUMN }),
            ...(reference.options === undefined ? {} : { options: reference.options }),
          });
          const byColumn = new Map(table.columns.map((c) => [c.column, c]));
          for (const m of driftMetrics) {
            if (m === "drift_share") out[m] = table.tested === 0 ? null : table.share;
            else {
              const column =
                m === "prediction_drift" ? PREDICTION_COLUMN : m.slice("feature_drift:".length);
              const row = byColumn.get(column);
              out[m] = row === undefined || row.status !== "ok" ? null : row.score;
            }
          }
        }
      }

      const perf = ["auc", "logloss", "rmse", "label_coverage", "estimated_auc"].filter((m) =>
        wanted.has(m),
      );
      if (perf.length > 0) {
        const task = options.task ?? "binary";
        const label =
          options.labels === undefined
            ? new Float64Array(n).fill(Number.NaN)
            : await options.labels(query.deployment, records);
        const cbpe = task === "binary" ? await options.cbpe?.(query.deployment) : undefined;
        const report = computePerformance({
          task,
          prediction,
          label,
          timestamp: Float64Array.from(records, (r) => r.at),
          windowMs: query.to - query.from,
          origin: query.from,
          ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
          ...(cbpe === undefined ? {} : { cbpe }),
        });
        const w = report.overall[0];
        if (w !== undefined) {
          if (wanted.has("auc")) out.auc = w.metrics.auc;
          if (wanted.has("logloss")) out.logloss = w.metrics.logLoss;
          if (wanted.has("rmse")) out.rmse = w.metrics.rmse;
          if (wanted.has("label_coverage")) out.label_coverage = w.labelCoverage;
          if (wanted.has("estimated_auc")) out.estimated_auc = w.estimated?.auc ?? null;
        }
      }
      return out;
    },
  };
}

function predictionOf(record: PredictionRecord, output: string): number {
  const v = record.outputs[output];
  if (typeof v === "number") return v;
  if (Array.isArray(v)) return (v.length === 2 ? v[1] : v[0]) ?? Number.NaN;
  return Number.NaN;
}

/** The window's values of a reference column, typed like it (a category the reference lacks gets a new code). */
function currentColumn(
  reference: FeatureColumn,
  records: readonly PredictionRecord[],
): FeatureColumn {
  if (reference.kind === "numeric") {
    const values = Float64Array.from(records, (r) => {
      const v = r.features[reference.name];
      return typeof v === "number" ? v : Number.NaN;
    });
    return { kind: "numeric", name: reference.name, values } satisfies NumericColumn;
  }
  const dictionary = [...reference.dictionary];
  const index = new Map(dictionary.map((d, i) => [d, i]));
  const codes = Int32Array.from(records, (r) => {
    const v = r.features[reference.name];
    if (v === null || v === undefined) return -1;
    const text = String(v);
    let code = index.get(text);
    if (code === undefined) {
      code = dictionary.length;
      index.set(text, code);
      dictionary.push(text);
    }
    return code;
  });
  return { kind: "categorical", name: reference.name, codes, dictionary };
}
