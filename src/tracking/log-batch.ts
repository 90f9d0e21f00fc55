import { CompiledQuery, sql, type Transaction } from "kysely";
import { PlinthError } from "../core/errors.ts";
import type { MetadataDialect, MetadataStore } from "../metadata/metadata-store.ts";
import type { MetadataSchema, MetricsTable } from "../metadata/schema.ts";
import { dedupeByKey } from "./experiments.ts";
import { type KeyValue, type Metric, RUN_NAME_TAG } from "./types.ts";
import {
  LIMITS,
  validateInteger,
  validateKey,
  validateMetricValue,
  validateStringValue,
} from "./validation.ts";

/** What one log-batch call carries. */
export interface LogBatch {
  metrics?: readonly Metric[];
  params?: readonly KeyValue[];
  tags?: readonly KeyValue[];
}

/**
 * Checks a batch against MLflow's limits and every item's shape before anything is written,
 * so a bad batch writes nothing.
 */
export function validateBatch(batch: LogBatch): Required<LogBatch> {
  const metrics = batch.metrics ?? [];
  const params = batch.params ?? [];
  const tags = batch.tags ?? [];
  const total = metrics.length + params.length + tags.length;
  if (
    metrics.length > LIMITS.batchMetrics ||
    params.length > LIMITS.batchParams ||
    tags.length > LIMITS.batchTags ||
    total > LIMITS.batchTotal
  ) {
    throw new PlinthError(
      "TRACKING_BATCH_TOO_LARGE",
      `A batch logging request can contain at most ${LIMITS.batchMetrics} metrics, ${LIMITS.batchParams} params, ${LIMITS.batchTags} tags and ${LIMITS.batchTotal} items in total; got ${metrics.length} metrics, ${params.length} params and ${tags.length} tags`,
      {
        field:
          metrics.length > LIMITS.batchMetrics
            ? "metrics"
            : params.length > LIMITS.batchParams
              ? "params"
              : "tags",
      },
    );
  }
  return {
    metrics: metrics.map((m, i) => ({
      key: validateKey("metric", m.key, `metrics[${i}].key`),
      value: validateMetricValue(m.value, `metrics[${i}].value`),
      timestamp: validateInteger(m.timestamp, `metrics[${i}].timestamp`),
      step: m.step === undefined ? 0 : validateInteger(m.step, `metrics[${i}].step`),
    })),
    params: params.map((p, i) => ({
      key: validateKey("param", p.key, `params[${i}].key`),
      value: validateStringValue(p.value, `params[${i}].value`, LIMITS.paramValueLength),
    })),
    tags: tags.map((t, i) => ({
      key: validateKey("tag", t.key, `tags[${i}].key`),
      value: validateStringValue(t.value, `tags[${i}].value`, LIMITS.tagValueLength),
    })),
  };
}

/**
 * Writes a validated batch in one transaction: params are immutable (a different value is
 * an error and rolls the whole batch back), tags overwrite, metrics append (an identical
 * metric row is a no-op, so a retried batch is harmless) and the latest value per key moves
 * forward only.
 */
export async function writeBatch(
  store: MetadataStore,
  runId: string,
  batch: Required<LogBatch>,
  requireActiveRun: (trx: Transaction<MetadataSchema>) => Promise<void>,
): Promise<void> {
  await store.transaction(async (trx) => {
    await requireActiveRun(trx);
    if (batch.params.length > 0) await writeParams(trx, runId, batch.params);
    if (batch.tags.length > 0) await writeTags(trx, runId, dedupeByKey(batch.tags));
    if (batch.metrics.length > 0) await writeMetrics(trx, store.dialect, runId, batch.metrics);
  });
}

async function writeParams(
  trx: Transaction<MetadataSchema>,
  runId: string,
  params: readonly KeyValue[],
): Promise<void> {
  const wanted = new Map<string, string>();
  for (const p of params) {
    const earlier = wanted.get(p.key);
    if (earlier !== undefined && earlier !== p.value)
      throw paramChanged(runId, p.key, earlier, p.value);
    wanted.set(p.key, p.value);
  }
  const inserted = await trx
    .insertInto("params")
    .values([...wanted].map(([key, value]) => ({ run_id: runId, key, value })))
    .onConflict((oc) => oc.columns(["run_id", "key"]).doNothing())
    .returning("key")
    .execute();
  if (inserted.length === wanted.size) return;
  // The rest existed already (or were committed by a concurrent writer we waited for):
  // the same value is fine, a different one is refused.
  const insertedKeys = new Set(inserted.map((r) => r.key));
  const existing = await trx
    .selectFrom("params")
    .select(["key", "value"])
    .where("run_id", "=", runId)
    .where(
      "key",
      "in",
      [...wanted.keys()].filter((k) => !insertedKeys.has(k)),
    )
    .execute();
  for (const row of existing) {
    const value = wanted.get(row.key)!;
    if (row.value !== value) throw paramChanged(runId, row.key, row.value, value);
  }
}

async function writeTags(
  trx: Transaction<MetadataSchema>,
  runId: string,
  tags: readonly KeyValue[],
): Promise<void> {
  await trx
    .insertInto("tags")
    .values(tags.map((t) => ({ run_id: runId, key: t.key, value: t.value })))
    .onConflict((oc) =>
      oc.columns(["run_id", "key"]).doUpdateSet({ value: sql.ref("excluded.value") }),
    )
    .execute();
  const runName = tags.find((t) => t.key === RUN_NAME_TAG);
  if (runName !== undefined) {
    await trx
      .updateTable("runs")
      .set({ run_name: runName.value })
      .where("run_id", "=", runId)
      .execute();
  }
}

async function writeMetrics(
  trx: Transaction<MetadataSchema>,
  dialect: MetadataDialect,
  runId: string,
  metrics: readonly Metric[],
): Promise<void> {
  const rows = metrics.map((m) => toRow(runId, m));
  await insertMetricRows(trx, dialect, rows);
  // One candidate per key (PostgreSQL refuses to update a row twice in one statement).
  const latest = new Map<string, MetricsTable>();
  for (const row of rows) {
    const current = latest.get(row.key);
    if (current === undefined || isNewer(row, current)) latest.set(row.key, row);
  }
  await trx
    .insertInto("latest_metrics")
    .values([...latest.values()])
    .onConflict((oc) =>
      oc
        .columns(["run_id", "key"])
        .doUpdateSet({
          step: sql.ref("excluded.step"),
          timestamp: sql.ref("excluded.timestamp"),
          value: sql.ref("excluded.value"),
          is_nan: sql.ref("excluded.is_nan"),
        })
        .where(
          sql<boolean>`(excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`,
        ),
    )
    .execute();
}

/** Rows per insert statement, at most; chunks are powers of two up to this. */
const MAX_INSERT_ROWS = 512;
const METRIC_PLACEHOLDER: MetricsTable = {
  run_id: "",
  key: "",
  step: 0,
  timestamp: 0,
  value: 0,
  is_nan: 0,
};
/** Compiled multi-row metric inserts, by dialect and row count (powers of two only). */
const insertTexts = new Map<string, string>();

/**
 * Appends metric rows, ignoring exact duplicates (the whole row is the key). A 1,000-row
 * batch through the query builder spent more time building and compiling the statement,
 * and preparing it, than the database spent inserting: so rows go in chunks of
 * power-of-two sizes, whose SQL is compiled once per size and (on SQLite) stays prepared.
 */
async function insertMetricRows(
  trx: Transaction<MetadataSchema>,
  dialect: MetadataDialect,
  rows: readonly MetricsTable[],
): Promise<void> {
  for (let start = 0; start < rows.length; ) {
    const size = 2 ** Math.floor(Math.log2(Math.min(rows.length - start, MAX_INSERT_ROWS)));
    const cacheKey = `${dialect}:${size}`;
    let text = insertTexts.get(cacheKey);
    if (text === undefined) {
      text = trx
        .insertInto("metrics")
        .values(Array.from({ length: size }, () => METRIC_PLACEHOLDER))
        .onConflict((oc) => oc.doNothing())
        .compile().sql;
      insertTexts.set(cacheKey, text);
    }
    // In the column order of METRIC_PLACEHOLDER, which is the order the compiled SQL names.
    const parameters: unknown[] = [];
    for (const row of rows.slice(start, start + size)) {
      parameters.push(row.run_id, row.key, row.step, row.timestamp, row.value, row.is_nan);
    }
    await trx.executeQuery(CompiledQuery.raw(text, parameters));
    start += size;
  }
}

function toRow(runId: string, m: Metric): MetricsTable {
  const nan = Number.isNaN(m.value);
  return {
    run_id: runId,
    key: m.key,
    step: m.step,
    timestamp: m.timestamp,
    value: nan ? 0 : m.value,
    is_nan: nan ? 1 : 0,
  };
}

/** MLflow's order for "latest": by step, then timestamp, then value. */
function isNewer(a: MetricsTable, b: MetricsTable): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

function paramChanged(runId: string, key: string, oldValue: string, newValue: string): PlinthError {
  return new PlinthError(
    "TRACKING_PARAM_CHANGED",
    `Changing param values is not allowed. Param with key='${key}' was already logged with value='${oldValue}' for run ID='${runId}'. Attempted logging new value '${newValue}'.`,
    { field: "params" },
  );
}
