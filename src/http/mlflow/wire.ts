import type { ModelVersion, RegisteredModel } from "../../registry/types.ts";
import type { Experiment, KeyValue, Metric, Run, RunInfo } from "../../tracking/types.ts";

/**
 * Domain objects in MLflow's proto3-JSON shape: snake_case, ids as strings, int64 as
 * numbers, unset or empty repeated fields left out, non-finite doubles as strings.
 */

type Wire = Record<string, unknown>;

/** Proto3 JSON spells non-finite doubles as strings. */
export function doubleToWire(value: number): number | string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "Infinity";
  if (value === Number.NEGATIVE_INFINITY) return "-Infinity";
  return value;
}

function list<T>(items: readonly T[], map: (item: T) => unknown): unknown[] | undefined {
  return items.length === 0 ? undefined : items.map(map);
}

const kv = (t: KeyValue) => ({ key: t.key, value: t.value });

export function experimentToWire(e: Experiment): Wire {
  return {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: list(e.tags, kv),
  };
}

export function metricToWire(m: Metric): Wire {
  return { key: m.key, value: doubleToWire(m.value), timestamp: m.timestamp, step: m.step };
}

export function runInfoToWire(info: RunInfo): Wire {
  return {
    run_uuid: info.runId,
    experiment_id: info.experimentId,
    run_name: info.runName,
    user_id: info.userId,
    status: info.status,
    start_time: info.startTime,
    end_time: info.endTime,
    artifact_uri: info.artifactUri,
    lifecycle_stage: info.lifecycleStage,
    run_id: info.runId,
  };
}

/** `withInputs` adds MLflow's empty `inputs` (runs/get and runs/search send it; runs/create does not). */
export function runToWire(run: Run, withInputs: boolean): Wire {
  return {
    info: runInfoToWire(run.info),
    data: {
      metrics: list(run.data.metrics, metricToWire),
      params: list(run.data.params, kv),
      tags: list(run.data.tags, kv),
    },
    inputs: withInputs ? {} : undefined,
  };
}

/**
 * `withAliases`: MLflow sends a version's aliases from get, by-alias and the update calls,
 * but not in search results or a model's latest_versions.
 */
export function versionToWire(v: ModelVersion, withAliases: boolean): Wire {
  return {
    name: v.name,
    version: v.version,
    creation_timestamp: v.creationTimestamp,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    user_id: v.userId === "" ? undefined : v.userId,
    current_stage: v.currentStage,
    description: v.description,
    source: v.source,
    run_id: v.runId,
    status: v.status,
    status_message: v.statusMessage === "" ? undefined : v.statusMessage,
    tags: list(v.tags, kv),
    run_link: v.runLink,
    aliases: withAliases ? list(v.aliases, (a) => a) : undefined,
  };
}

export function modelToWire(m: RegisteredModel): Wire {
  return {
    name: m.name,
    creation_timestamp: m.creationTimestamp,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    description: m.description === "" ? undefined : m.description,
    latest_versions: list(m.latestVersions, (v) => versionToWire(v, false)),
    tags: list(m.tags, kv),
    aliases: list(m.aliases, (a) => ({ alias: a.alias, version: a.version })),
  };
}
