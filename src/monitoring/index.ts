/** Monitoring's statistics core: profiles, drift, performance with delayed labels, data quality, reports. */

export type { AlertStore } from "./alerts/alert-store.ts";
export type {
  AlertDelivery,
  AlertEvent,
  AlertEventKind,
  AlertRuleState,
  AlertState,
} from "./alerts/alert-types.ts";
export {
  createMonitorWindowMetricSource,
  type MonitorWindowMetricSourceOptions,
} from "./alerts/create-monitor-window-metric-source.ts";
export {
  createRecordsMetricSource,
  type DriftReference,
  type RecordsMetricSourceOptions,
} from "./alerts/create-records-metric-source.ts";
export {
  createWebhookNotifier,
  type WebhookNotifier,
  webhookPayload,
} from "./alerts/create-webhook-notifier.ts";
export {
  type AlertNotifier,
  type AlertWindowResult,
  breaches,
  evaluateAlertRules,
} from "./alerts/evaluate-alert-rules.ts";
export { createMetadataAlertStore } from "./alerts/metadata/create-metadata-alert-store.ts";
export type { MetricQuery, MetricSource } from "./alerts/metric-source.ts";
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
  createMonitoringScheduler,
  type MonitoringScheduler,
} from "./loop/create-monitoring-scheduler.ts";
export { createPlatformMonitoringContext } from "./loop/create-platform-monitoring-context.ts";
export {
  type MonitoringLoopContext,
  type MonitoringPass,
  runMonitoringOnce,
} from "./loop/run-monitoring-once.ts";
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
export { canaryVariants, championVariant } from "./retraining/canary-variants.ts";
export {
  CHALLENGER_ALIAS,
  evaluateRetrainingPolicies,
  type RetrainingContext,
} from "./retraining/evaluate-retraining-policies.ts";
export { createMetadataRetrainingDecisionStore } from "./retraining/metadata/create-metadata-retraining-decision-store.ts";
export type { RetrainingDecision, RetrainingOutcome } from "./retraining/retraining-decision.ts";
export type {
  DecisionChanges,
  RetrainingDecisionStore,
} from "./retraining/retraining-decision-store.ts";
export { settleRetrainingDecisions } from "./retraining/settle-retraining-decisions.ts";
export {
  checkSkew,
  DEFAULT_SKEW_SAMPLE,
  DEFAULT_SKEW_TOLERANCE,
  type FeatureSkew,
  type SkewExample,
  type SkewInput,
  type SkewReport,
} from "./skew/check-skew.ts";
