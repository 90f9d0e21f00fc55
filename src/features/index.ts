/**
 * The feature store's public API: definitions, point-in-time offline retrieval, the registry
 * (plan/apply) and saved datasets.
 */
export { createSavedDatasetStore } from "./datasets/create-saved-dataset-store.ts";
export type { SavedDataset, SavedDatasetStore } from "./datasets/saved-dataset-store.ts";
export { assertIdentifier } from "./definitions/assert-identifier.ts";
export { definitionsHash } from "./definitions/definitions-hash.ts";
export { type Entity, entity } from "./definitions/entity.ts";
export {
  defineFeatures,
  type FeatureDefinition,
  type FeatureDefinitions,
  isFeatureDefinition,
} from "./definitions/feature-definitions.ts";
export {
  type FeatureService,
  type FeatureServiceItem,
  featureService,
} from "./definitions/feature-service.ts";
export {
  type FeatureView,
  type FeatureViewProjection,
  featureView,
} from "./definitions/feature-view.ts";
export { loadFeatureDefinitions } from "./definitions/load-feature-definitions.ts";
export {
  type FeatureColumns,
  type FeatureColumnValues,
  type OnDemandFeatureView,
  onDemandFeatureView,
  type RequestSource,
  requestSource,
} from "./definitions/on-demand-feature-view.ts";
export { type PushSource, pushSource } from "./definitions/push-source.ts";
export { runOnDemandTransform } from "./definitions/run-on-demand-transform.ts";
export {
  type CsvSource,
  csvSource,
  type DataSource,
  type ParquetSource,
  parquetSource,
  type SqlSource,
  sqlSource,
} from "./definitions/sources.ts";
export type { Field, ValueType } from "./definitions/value-type.ts";
// Online side: the feature store facade, online stores, online reads, materialization, push.
export {
  createFeatureStore,
  type FeatureStore,
  type FeatureStoreOptions,
  type OnlineFeaturesRequest,
} from "./feature-store.ts";
export type {
  MaterializationProgress,
  MaterializeOptions,
  ViewMaterialization,
} from "./materialization/materialize-views.ts";
export type { MaterializationState } from "./materialization/watermarks.ts";
export { createDuckDbOfflineStore } from "./offline/duckdb/create-duckdb-offline-store.ts";
export type { EntityInput } from "./offline/entity-input.ts";
export type { FeatureFrame } from "./offline/feature-frame.ts";
export {
  type FeatureStatistics,
  type FeatureSummary,
  QUANTILE_LEVELS,
} from "./offline/feature-statistics.ts";
export type { LatestRows, PullWindow, ViewRowBatch } from "./offline/latest-rows.ts";
export type {
  FeatureSelection,
  HistoricalFeaturesOptions,
  OfflineStore,
} from "./offline/offline-store.ts";
export type { RetrievalJob, TrainingSetManifest } from "./offline/retrieval-job.ts";
export type { TrainingSetLineage } from "./offline/training-set-lineage.ts";
export {
  createOnlineFeatureReader,
  type OnlineFeatureReader,
} from "./online/create-online-feature-reader.ts";
export type { FeatureValue } from "./online/feature-value.ts";
export type {
  FeatureStatus,
  OnlineFeatures,
  OnlineFeatureVector,
  OnlineReadOptions,
} from "./online/online-features.ts";
export type {
  OnlineReadRequest,
  OnlineRecord,
  OnlineStore,
  OnlineValue,
  StoredRecord,
} from "./online/online-store.ts";
export {
  createRedisOnlineStore,
  type RedisOnlineStoreConfig,
} from "./online/redis/create-redis-online-store.ts";
export {
  createSqliteOnlineStore,
  type SqliteOnlineStoreConfig,
} from "./online/sqlite/create-sqlite-online-store.ts";
export type { PushResult } from "./push/push-rows.ts";
export type { FieldChange } from "./registry/diff-spec.ts";
export type {
  FeatureRegistry,
  RegistryApplyOptions,
  RegistryApplyRecord,
  RegistryApplyResult,
} from "./registry/feature-registry.ts";
export { createMetadataFeatureRegistry } from "./registry/metadata/create-metadata-feature-registry.ts";
export type { RegistryObject } from "./registry/registry-object.ts";
export type { RegistryChange, RegistryPlan } from "./registry/registry-plan.ts";
export type {
  RegistryObjectKind,
  RegistrySpecByKind,
  RegistrySpecs,
} from "./registry/registry-spec.ts";
export { toRegistrySpecs } from "./registry/to-registry-specs.ts";
