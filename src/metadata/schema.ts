import type { Generated } from "kysely";

/**
 * The metadata tables, as Kysely sees them. Times are integer milliseconds since the epoch;
 * booleans are stored as 0/1 integers so both backends read them the same way.
 */
export interface MetadataSchema {
  experiments: ExperimentsTable;
  experiment_tags: KeyValueTable & { experiment_id: number };
  runs: RunsTable;
  params: KeyValueTable & { run_id: string };
  tags: KeyValueTable & { run_id: string };
  metrics: MetricsTable;
  latest_metrics: MetricsTable;
  registered_models: RegisteredModelsTable;
  registered_model_tags: KeyValueTable & { name: string };
  registered_model_aliases: { name: string; alias: string; version: number };
  model_versions: ModelVersionsTable;
  model_version_tags: KeyValueTable & { name: string; version: number };
  registry_audit: RegistryAuditTable;
  pipeline_runs: PipelineRunsTable;
  pipeline_step_runs: PipelineStepRunsTable;
  feature_materializations: FeatureMaterializationsTable;
  feature_registry_objects: FeatureRegistryObjectsTable;
  feature_registry_applies: FeatureRegistryAppliesTable;
  feature_datasets: FeatureDatasetsTable;
  pipeline_definitions: PipelineDefinitionsTable;
  pipeline_schedules: PipelineSchedulesTable;
  pipeline_schedule_fires: PipelineScheduleFiresTable;
  deployments: DeploymentsTable;
  prediction_labels: PredictionLabelsTable;
}

export interface KeyValueTable {
  key: string;
  value: string;
}

export interface ExperimentsTable {
  experiment_id: Generated<number>;
  name: string;
  artifact_location: string;
  lifecycle_stage: "active" | "deleted";
  creation_time: number;
  last_update_time: number;
}

export interface RunsTable {
  run_id: string;
  experiment_id: number;
  run_name: string;
  user_id: string;
  status: "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";
  start_time: number;
  end_time: number | null;
  lifecycle_stage: "active" | "deleted";
  artifact_uri: string;
  deleted_time: number | null;
}

/** One logged metric value. NaN is stored as value 0 with is_nan 1 (SQLite has no NaN). */
export interface MetricsTable {
  run_id: string;
  key: string;
  step: number;
  timestamp: number;
  value: number;
  is_nan: number;
}

export interface RegisteredModelsTable {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
}

export interface ModelVersionsTable {
  name: string;
  version: number;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
  user_id: string;
  current_stage: "None" | "Staging" | "Production" | "Archived" | "Deleted_Internal";
  source: string;
  run_id: string;
  run_link: string;
  status: "PENDING_REGISTRATION" | "FAILED_REGISTRATION" | "READY";
  status_message: string;
  /** JSON: the model's named, typed inputs and outputs; "" when unknown. */
  signature: string;
}

/** One row per registry change: who, when, what, and the object before and after (JSON). */
export interface RegistryAuditTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  model_name: string;
  version: number | null;
  before: string | null;
  after: string | null;
}

/** One run of a pipeline; `params` and `dag` are JSON. */
export interface PipelineRunsTable {
  run_id: string;
  pipeline_name: string;
  status: "running" | "succeeded" | "failed" | "cancelled";
  params: string;
  dag: string;
  tracking_run_id: string | null;
  resumed_from: string | null;
  error: string | null;
  start_time: number;
  end_time: number | null;
  /** Who started the run: `cli`, `api`, `schedule:<id>` (006). */
  triggered_by: string | null;
  /** Set by `plinth pipeline cancel`; the driving process polls it (006). */
  cancel_requested_at: number | null;
  /** Refreshed by the driving process while the run is live (006). */
  heartbeat_at: number | null;
}

/** One step of a pipeline run; `inputs` and `outputs` are JSON maps of stored outputs. */
export interface PipelineStepRunsTable {
  run_id: string;
  step_name: string;
  status: "pending" | "running" | "succeeded" | "cached" | "failed" | "skipped" | "cancelled";
  attempts: number;
  cache_key: string | null;
  cached_from: string | null;
  inputs: string | null;
  outputs: string | null;
  error: string | null;
  tracking_run_id: string | null;
  start_time: number | null;
  end_time: number | null;
  /** The step's log lines, newest kept when long (006). */
  logs: string | null;
}

/** A pipeline a server can run by name: the module that defines it (006). */
export interface PipelineDefinitionsTable {
  name: string;
  /** A `file://` URL or `builtin:<name>`. */
  module: string;
  description: string;
  /** JSON: the declared parameters. */
  params: string;
  created_at: number;
  updated_at: number;
}

/** A cron schedule of a registered pipeline; `params` is JSON (006). */
export interface PipelineSchedulesTable {
  schedule_id: string;
  pipeline_name: string;
  cron: string;
  timezone: string | null;
  params: string;
  created_at: number;
}

/** One claimed tick of a schedule: the primary key makes the claim exclusive (006). */
export interface PipelineScheduleFiresTable {
  schedule_id: string;
  fire_time: number;
  claimed_by: string;
  claimed_at: number;
  run_id: string | null;
  error: string | null;
}

/** Per feature view and online store: the event time (ms) materialized up to, and the last run. */
export interface FeatureMaterializationsTable {
  view_name: string;
  /** The online store's location (OnlineStore.location). */
  online_store: string;
  watermark: number;
  last_start: number | null;
  last_end: number;
  rows_written: number;
  updated_at: number;
}
/** One version of an applied feature-registry object; `spec` is its JSON description. */
export interface FeatureRegistryObjectsTable {
  kind: "entity" | "featureView" | "onDemandFeatureView" | "featureService" | "pushSource";
  name: string;
  version: number;
  status: "active" | "superseded" | "removed";
  spec: string;
  spec_hash: string;
  created_revision: number;
  updated_revision: number;
  created_at: number;
  updated_at: number;
}

/** One feature-registry apply; `changes` is the JSON list of what it changed. */
export interface FeatureRegistryAppliesTable {
  revision: number;
  at: number;
  actor: string;
  module: string;
  forced: number;
  changes: string;
}

/** A saved training set: its Parquet bytes are content-addressed in the artifact store. */
export interface FeatureDatasetsTable {
  dataset_hash: string;
  name: string;
  feature_service: string;
  num_rows: number;
  size_bytes: number;
  artifact_key: string;
  lineage_hash: string;
  lineage: string;
  statistics: string;
  registry_versions: string;
  created_at: number;
  created_by: string;
}

/** A model-serving deployment; `spec` is its JSON (variants, sticky key, threshold, description). */
export interface DeploymentsTable {
  name: string;
  spec: string;
  created_at: number;
  updated_at: number;
}

/** A delayed label, by request id or by entity and event time (008). */
export interface PredictionLabelsTable {
  deployment: string;
  /** `id:<request id>` or `entity:<entity JSON>@<event ms>`: the idempotency key. */
  label_key: string;
  request_id: string | null;
  /** Entity keys as canonical JSON (sorted keys). */
  entity_key: string | null;
  event_time: number | null;
  label: number;
  labelled_at: number;
  ingested_at: number;
}
