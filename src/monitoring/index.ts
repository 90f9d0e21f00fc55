/** Monitoring's statistics core: profiles, drift, performance with delayed labels, data quality, reports. */
export { type ColumnDrift, columnDrift } from "./drift/column-drift.ts";
export {
  computeDrift,
  DEFAULT_DRIFT_SHARE,
  type DriftInput,
  type DriftTable,
} from "./drift/compute-drift.ts";
export type { DriftOptions, StatTestChoice } from "./drift/drift-options.ts";
export { type KsResult, ksTwoSample } from "./drift/ks-two-sample.ts";
export type { ColumnRows } from "./drift/prepared-column.ts";
export {
  defaultStatTest,
  STATTEST_NAMES,
  STATTESTS,
  type StatTestName,
  type StatTestSpec,
} from "./drift/stattest.ts";
export { createLabelStore } from "./labels/create-label-store.ts";
export { ingestLabelFile } from "./labels/ingest-label-file.ts";
export type {
  JoinedWindowLabels,
  LabelCoverage,
  LabelIngestResult,
  LabelInput,
  LabelStore,
} from "./labels/label-store.ts";
export {
  type CbpeCalibration,
  type CbpeEstimate,
  type CbpeEstimator,
  estimateCbpe,
  estimatedRocAuc,
  fitCbpe,
} from "./performance/cbpe.ts";
export {
  computePerformance,
  type PerformanceInput,
  type PerformanceReport,
} from "./performance/compute-performance.ts";
export {
  calibrateIsotonic,
  fitIsotonic,
  type IsotonicCalibrator,
} from "./performance/isotonic-calibrator.ts";
export {
  type JoinedLabels,
  joinLabelsByEntity,
  joinLabelsById,
} from "./performance/join-labels.ts";
export type { ReliabilityBin } from "./performance/reliability-table.ts";
export type { RealisedMetrics, WindowPerformance } from "./performance/window-metrics.ts";
export { columnsFromProfile } from "./prediction-window/columns-from-profile.ts";
export {
  type HourProfile,
  type MonitorWindowInput,
  monitorWindow,
  type WindowReference,
  type WindowResult,
} from "./prediction-window/monitor-window.ts";
export {
  entityKey,
  type PredictionTable,
  type PredictionTableOptions,
  predictionTable,
} from "./prediction-window/prediction-table.ts";
export { type CategoryCounts, topCategories } from "./profile/category-counts.ts";
export {
  type CategoricalProfile,
  type DatasetProfile,
  type FeatureProfile,
  missingRate,
  type NumericProfile,
} from "./profile/feature-profile.ts";
export type { Histogram } from "./profile/histogram.ts";
export { estimateDistinct, type HyperLogLog } from "./profile/hyperloglog.ts";
export { mergeProfiles } from "./profile/merge-profiles.ts";
export { type NumericMoments, varianceOf } from "./profile/numeric-moments.ts";
export { type ProfileOptions, profileColumns } from "./profile/profile-columns.ts";
export { PROFILE_VERSION, profileFromJson, profileToJson } from "./profile/profile-json.ts";
export {
  type QuantileSketch,
  SKETCH_RELATIVE_ACCURACY,
  sketchQuantile,
} from "./profile/quantile-sketch.ts";
export {
  checkDataQuality,
  type QualityCheck,
  type QualityFinding,
  type QualityOptions,
} from "./quality/check-data-quality.ts";
export type { ColumnDistribution } from "./report/column-distribution.ts";
export {
  buildMonitoringReport,
  type MonitoringReport,
  type ReportInput,
} from "./report/monitoring-report.ts";
export {
  type MonitoringTable,
  type MonitoringTableOptions,
  readMonitoringTable,
} from "./report/read-monitoring-table.ts";
export { renderReportHtml } from "./report/render-report-html.ts";
