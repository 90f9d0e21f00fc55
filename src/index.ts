/** plinth's public TypeScript API. */
export { type PlinthConfig, resolveConfig } from "./core/config.ts";
export { ERROR_CATALOGUE, type ErrorCode, isPlinthError, PlinthError } from "./core/errors.ts";
export * from "./features/index.ts";
export { createServer } from "./http/create-server.ts";
export { type FeatureImportance, featureImportance } from "./models/explain/feature-importance.ts";
export { expectedValue, treeShap } from "./models/explain/tree-shap.ts";
export { importLightgbmText } from "./models/lightgbm/import-lightgbm-text.ts";
export type { TreeEnsemble, TreeEnsembleLink } from "./models/tree-ensemble.ts";
export { predict, predictRaw, predictRow, predictRowRaw } from "./models/tree-predictor.ts";
export { importXgboostJson } from "./models/xgboost/import-xgboost-json.ts";
export * as monitoring from "./monitoring/index.ts";
export {
  buildMonitoringReport,
  checkDataQuality,
  computeDrift,
  computePerformance,
  estimateCbpe,
  fitCbpe,
  joinLabelsByEntity,
  joinLabelsById,
  mergeProfiles,
  profileColumns,
  profileFromJson,
  profileToJson,
  renderReportHtml,
  sketchQuantile,
} from "./monitoring/index.ts";
export { createLabelStore } from "./monitoring/labels/create-label-store.ts";
export type { LabelStore } from "./monitoring/labels/label-store.ts";
export {
  type MonitorWindowInput,
  monitorWindow,
  type WindowResult,
} from "./monitoring/prediction-window/monitor-window.ts";
export {
  type PredictionTable,
  type PredictionTableOptions,
  predictionTable,
} from "./monitoring/prediction-window/prediction-table.ts";
export * from "./pipelines/index.ts";
export { createOnlineStore, openPlatform, type Platform } from "./platform.ts";
export type { RegistryService } from "./registry/registry-service.ts";
export type {
  AuditEntry,
  ModelSignature,
  ModelVersion,
  RegisteredModel,
  Stage,
} from "./registry/types.ts";
export * from "./serving/index.ts";
export {
  createPredictionLog,
  createPredictionLogReader,
  type PredictionLog,
  type PredictionLogOptions,
  type PredictionLogReader,
  type PredictionLogStats,
  type PredictionQuery,
  type PredictionRecord,
} from "./serving/prediction-log/index.ts";
export { createEmbeddedTransport } from "./tracking/client/embedded-transport.ts";
export { createMlflowRestTransport } from "./tracking/client/mlflow-rest-transport.ts";
export {
  type ActiveRun,
  createTrackingClient,
  type TrackingClient,
} from "./tracking/client/tracking-client.ts";
export type { TrackingTransport } from "./tracking/client/tracking-transport.ts";
export type { TrackingService } from "./tracking/tracking-service.ts";
export type { Experiment, Metric, Run, RunInfo, RunStatus } from "./tracking/types.ts";
export { datasetFromArrow, readArrowDataset } from "./training/dataset/dataset-from-arrow.ts";
export { datasetFromColumns, type FrameColumn } from "./training/dataset/dataset-from-columns.ts";
export { readCsvDataset } from "./training/dataset/read-csv-dataset.ts";
export { datasetFormatOf, readDataset } from "./training/dataset/read-dataset.ts";
export { readParquetDataset } from "./training/dataset/read-parquet-dataset.ts";
export type { TableReadOptions } from "./training/dataset/table-read-options.ts";
export { toRowMajor } from "./training/dataset/to-row-major.ts";
export type {
  CategoricalColumn,
  FeatureColumn,
  NumericColumn,
  TrainingDataset,
} from "./training/dataset/training-dataset.ts";
export { GBDT_OBJECTIVES, type GbdtParams } from "./training/gbdt/gbdt-params.ts";
export { type GbdtModel, trainGbdt } from "./training/gbdt/train-gbdt.ts";
export * as metrics from "./training/metrics/index.ts";
export { generateFraudDataset, writeFraudCsv } from "./training/synthetic/fraud-dataset.ts";
export { PLINTH_VERSION } from "./version.ts";
