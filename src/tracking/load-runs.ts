import { type RawBuilder, sql } from "kysely";
import type { MetadataDialect, MetadataStore } from "../metadata/metadata-store.ts";
import type { RunsTable } from "../metadata/schema.ts";
import type { KeyValue, Metric, Run, RunInfo } from "./types.ts";

export function toRunInfo(row: RunsTable): RunInfo {
  return {
    runId: row.run_id,
    experimentId: String(row.experiment_id),
    runName: row.run_name,
    userId: row.user_id,
    status: row.status,
    startTime: Number(row.start_time),
    endTime: row.end_time === null ? undefined : Number(row.end_time),
    artifactUri: row.artifact_uri,
    lifecycleStage: row.lifecycle_stage,
  };
}

export function toMetric(row: {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  is_nan: number;
}): Metric {
  return {
    key: row.key,
    value: Number(row.is_nan) === 1 ? Number.NaN : Number(row.value),
    timestamp: Number(row.timestamp),
    step: Number(row.step),
  };
}

/** One run's data as the hydration query returns it: JSON arrays, or NULL when empty. */
interface RunDataRow {
  position: number | string;
  metrics: unknown;
  params: unknown;
  tags: unknown;
}

/**
 * Runs with their latest metrics, params and tags, in one query for any number of runs.
 *
 * The database packs each run's rows into JSON arrays: a page of 1,000 runs is then 1,000
 * result rows instead of 26,000, and building one JS value per column of every row was
 * most of the cost of a large search. Both engines print doubles with enough digits to
 * read back the same double, and ±Infinity as a number (SQLite) or a string (PostgreSQL),
 * which `Number` reads either way.
 */
export async function loadRuns(
  store: Pick<MetadataStore, "db" | "dialect">,
  rows: readonly RunsTable[],
): Promise<Run[]> {
  if (rows.length === 0) return [];
  const result = await runDataQuery(
    store.dialect,
    rows.map((r) => r.run_id),
  ).execute(store.db);
  const runs: Run[] = rows.map((r) => ({
    info: toRunInfo(r),
    data: { metrics: [], params: [], tags: [] },
  }));
  for (const row of result.rows) {
    const data = runs[Number(row.position)]!.data;
    for (const [key, value, timestamp, step, isNan] of jsonArray<MetricTuple>(row.metrics)) {
      data.metrics.push({
        key,
        value: isNan === 1 ? Number.NaN : Number(value),
        timestamp,
        step,
      });
    }
    data.params = jsonArray<[string, string]>(row.params).map(toKeyValue);
    data.tags = jsonArray<[string, string]>(row.tags).map(toKeyValue);
  }
  return runs;
}

type MetricTuple = [
  key: string,
  value: number | string,
  timestamp: number,
  step: number,
  isNan: number,
];

function toKeyValue([key, value]: [string, string]): KeyValue {
  return { key, value };
}

/** SQLite hands JSON over as text, PostgreSQL's driver parses it; an empty group is NULL. */
function jsonArray<Item>(value: unknown): Item[] {
  if (value === null || value === undefined) return [];
  return (typeof value === "string" ? JSON.parse(value) : value) as Item[];
}

/** The two engines spell JSON aggregation and "rows of this list" differently. */
function runDataQuery(dialect: MetadataDialect, runIds: string[]): RawBuilder<RunDataRow> {
  if (dialect === "sqlite") {
    const each = (table: string, columns: string) =>
      sql.raw(
        `(select json_group_array(json_array(${columns})) from ${table} d where d.run_id = r.value)`,
      );
    return sql<RunDataRow>`select r.key as position,
        ${each("latest_metrics", "d.key, d.value, d.timestamp, d.step, d.is_nan")} as metrics,
        ${each("params", "d.key, d.value")} as params,
        ${each("tags", "d.key, d.value")} as tags
      from json_each(${JSON.stringify(runIds)}) r`;
  }
  const each = (table: string, columns: string) =>
    sql.raw(
      `(select json_agg(json_build_array(${columns})) from ${table} d where d.run_id = r.run_id)`,
    );
  return sql<RunDataRow>`select r.position - 1 as position,
      ${each("latest_metrics", "d.key, d.value, d.timestamp, d.step, d.is_nan")} as metrics,
      ${each("params", "d.key, d.value")} as params,
      ${each("tags", "d.key, d.value")} as tags
    from unnest(${runIds}::text[]) with ordinality as r(run_id, position)`;
}
