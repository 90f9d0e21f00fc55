import type { PredictionLogReader } from "../../serving/prediction-log/prediction-log-reader.ts";
import type { LabelStore } from "../labels/label-store.ts";
import { monitorWindow, type WindowReference } from "../prediction-window/monitor-window.ts";
import { predictionTable } from "../prediction-window/prediction-table.ts";
import { missingRate } from "../profile/feature-profile.ts";
import type { MetricSource } from "./metric-source.ts";

/** What a monitorWindow-based metric source reads. */
export interface MonitorWindowMetricSourceOptions {
  readonly predictions: PredictionLogReader;
  readonly labels?: LabelStore;
  /** The deployment's reference (its champion's stored profile); undefined: `fallback` answers. */
  readonly reference: (deployment: string) => Promise<WindowReference | undefined>;
  /** The deployment's decision threshold (default 0.5). */
  readonly threshold?: (deployment: string) => Promise<number>;
  /** Answers for deployments without a reference (default: every metric no_data but the count). */
  readonly fallback?: MetricSource;
}

/**
 * Window metrics from `monitorWindow`: the same window profile, drift table and performance
 * (delayed labels joined, CBPE beside them) that `plinth monitor report --deployment` shows,
 * so an alert fires on exactly the numbers a person sees in the report. A window without
 * predictions has `prediction_count` 0 and every other metric no_data.
 *
 * @example
 * const source = createMonitorWindowMetricSource({ predictions: reader, labels, reference });
 * await source.values({ deployment: "fraud", from, to, metrics: ["drift_share", "auc"] });
 */
export function createMonitorWindowMetricSource(
  options: MonitorWindowMetricSourceOptions,
): MetricSource {
  return {
    async values(query) {
      const out: Record<string, number | null> = {};
      for (const m of query.metrics) out[m] = null;
      const reference = await options.reference(query.deployment);
      if (reference === undefined) {
        if (options.fallback !== undefined) return options.fallback.values(query);
        if (query.metrics.includes("prediction_count")) {
          const records = await options.predictions.read(query);
          out.prediction_count = records.filter((r) => !r.shadow).length;
        }
        return out;
      }
      const threshold = (await options.threshold?.(query.deployment)) ?? 0.5;
      const result = await monitorWindow({
        deployment: query.deployment,
        from: query.from,
        to: query.to,
        reference,
        predictions: options.predictions,
        ...(options.labels === undefined ? {} : { labels: options.labels }),
        windowMs: query.to - query.from,
        threshold,
      });
      if (query.metrics.includes("prediction_count")) out.prediction_count = result.rows;
      if (result.status === "no data" || result.report === null) return out;
      const drift = result.report.drift;
      const byColumn = new Map(drift.columns.map((c) => [c.column, c]));
      const predictionColumn = drift.columns.find((c) => c.role === "prediction")?.column;
      const profiles = new Map((result.profile?.features ?? []).map((f) => [f.name, f]));
      const window = result.performance?.overall[0];
      for (const m of query.metrics) {
        if (m === "drift_share") out[m] = drift.tested === 0 ? null : drift.share;
        else if (m === "prediction_drift" || m.startsWith("feature_drift:")) {
          const name =
            m === "prediction_drift" ? predictionColumn : m.slice("feature_drift:".length);
          const row = name === undefined ? undefined : byColumn.get(name);
          out[m] = row === undefined || row.status !== "ok" ? null : row.score;
        } else if (m.startsWith("missing_rate:")) {
          const p = profiles.get(m.slice("missing_rate:".length));
          out[m] = p === undefined ? null : missingRate(p);
        } else if (m === "prediction_mean") {
          const p = predictionColumn === undefined ? undefined : profiles.get(predictionColumn);
          out[m] =
            p?.kind === "numeric"
              ? p.moments.count > 0
                ? p.moments.mean
                : null
              : await predictionMean(options.predictions, query);
        } else if (m === "label_coverage") out[m] = result.labels.coverage;
        else if (window !== undefined) {
          if (m === "auc") out[m] = window.metrics.auc;
          else if (m === "logloss") out[m] = window.metrics.logLoss;
          else if (m === "rmse") out[m] = window.metrics.rmse;
          else if (m === "estimated_auc") out[m] = window.estimated?.auc ?? null;
        }
      }
      return out;
    },
  };
}

/** The mean prediction of a window read from the log, when the reference has no prediction column. */
async function predictionMean(
  predictions: PredictionLogReader,
  query: { deployment: string; from: number; to: number },
): Promise<number | null> {
  const records = (await predictions.read(query)).filter((r) => !r.shadow);
  if (records.length === 0) return null;
  const table = predictionTable(records);
  const column = table.columns.find((c) => c.name === table.prediction);
  if (column?.kind !== "numeric") return null;
  let sum = 0;
  let n = 0;
  for (const v of column.values) {
    if (!Number.isFinite(v)) continue;
    sum += v;
    n++;
  }
  return n === 0 ? null : sum / n;
}
