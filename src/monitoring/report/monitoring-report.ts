import type { FeatureColumn } from "../../training/dataset/training-dataset.ts";
import type { ColumnDrift } from "../drift/column-drift.ts";
import { computeDrift, type DriftTable } from "../drift/compute-drift.ts";
import type { DriftOptions } from "../drift/drift-options.ts";
import type { PerformanceReport } from "../performance/compute-performance.ts";
import { profileColumns } from "../profile/profile-columns.ts";
import {
  checkDataQuality,
  type QualityFinding,
  type QualityOptions,
} from "../quality/check-data-quality.ts";
import { type ColumnDistribution, distributionsOf } from "./column-distribution.ts";

/** The `format` of a report document. */
export const REPORT_FORMAT = "plinth-monitoring-report";
/** Its version. */
export const REPORT_VERSION = 1;

/** Everything a monitoring run found, as one JSON-serialisable document. */
export interface MonitoringReport {
  readonly format: typeof REPORT_FORMAT;
  readonly version: typeof REPORT_VERSION;
  /** ISO time the report was made. */
  readonly generatedAt: string;
  readonly title: string;
  /** Where each side came from (a file name, a window) and its size. */
  readonly reference: { readonly name: string; readonly rows: number };
  readonly current: { readonly name: string; readonly rows: number };
  readonly drift: DriftTable;
  readonly quality: readonly QualityFinding[];
  /** Reference and current distributions per column, for the report's plots. */
  readonly distributions: readonly ColumnDistribution[];
  /** Performance over time, when labels (or a CBPE estimator) were given. */
  readonly performance: PerformanceReport | null;
}

/** What {@link buildMonitoringReport} compares. */
export interface ReportInput {
  readonly reference: readonly FeatureColumn[];
  readonly current: readonly FeatureColumn[];
  readonly referenceName?: string;
  readonly currentName?: string;
  readonly title?: string;
  /** The prediction column, drift-tested with the features. */
  readonly prediction?: string;
  readonly drift?: DriftOptions;
  readonly quality?: QualityOptions;
  /** Performance computed for the current data (see `computePerformance`). */
  readonly performance?: PerformanceReport;
  /** The report's time (default: now); fixed in tests. */
  readonly now?: Date;
}

/**
 * Drift, data quality and (when given) performance of current data against a reference, in
 * one document: the JSON `plinth monitor report --json` prints and the HTML report renders.
 *
 * @example
 * const report = buildMonitoringReport({ reference: train.features, current: today.features });
 * writeFileSync("report.html", renderReportHtml(report));
 */
export function buildMonitoringReport(input: ReportInput): MonitoringReport {
  const drift = computeDrift({
    reference: input.reference,
    current: input.current,
    ...(input.prediction === undefined ? {} : { prediction: input.prediction }),
    ...(input.drift === undefined ? {} : { options: input.drift }),
  });
  const quality = checkDataQuality(profileColumns(input.reference), input.current, input.quality);
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    generatedAt: (input.now ?? new Date()).toISOString(),
    title: input.title ?? "Monitoring report",
    reference: { name: input.referenceName ?? "reference", rows: rowsOf(input.reference) },
    current: { name: input.currentName ?? "current", rows: rowsOf(input.current) },
    drift,
    quality,
    distributions: distributionsOf(input.reference, input.current, drift.columns),
    performance: input.performance ?? null,
  };
}

/** The drift rows worth a person's attention first: drifted, then skipped, then the rest. */
export function rowsByConcern(drift: DriftTable): ColumnDrift[] {
  const rank = (r: ColumnDrift) => (r.drifted ? 0 : r.status === "skipped" ? 1 : 2);
  return [...drift.columns].sort((a, b) => rank(a) - rank(b));
}

function rowsOf(columns: readonly FeatureColumn[]): number {
  const first = columns[0];
  if (first === undefined) return 0;
  return first.kind === "numeric" ? first.values.length : first.codes.length;
}
