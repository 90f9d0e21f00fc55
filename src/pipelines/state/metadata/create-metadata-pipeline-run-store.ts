import type { Selectable } from "kysely";
import { PlinthError } from "../../../core/errors.ts";
import type { MetadataStore } from "../../../metadata/metadata-store.ts";
import type { PipelineRunsTable, PipelineStepRunsTable } from "../../../metadata/schema.ts";
import type { CancelOutcome, PipelineRunStore } from "../pipeline-run-store.ts";
import type { PipelineRunRecord, StepRunRecord } from "../pipeline-run-types.ts";

/**
 * Pipeline run state in the metadata store's `pipeline_runs` and `pipeline_step_runs`
 * tables; the same queries serve SQLite and PostgreSQL.
 *
 * @example
 * const runs = createMetadataPipelineRunStore(platform.metadata);
 * const latest = await runs.listRuns({ pipelineName: "fraud", limit: 1 });
 */
export function createMetadataPipelineRunStore(metadata: MetadataStore): PipelineRunStore {
  const { db } = metadata;
  const store: PipelineRunStore = {
    async createRun(input) {
      await metadata.transaction(async (trx) => {
        await trx
          .insertInto("pipeline_runs")
          .values({
            run_id: input.runId,
            pipeline_name: input.pipelineName,
            status: "running",
            params: JSON.stringify(input.params),
            dag: JSON.stringify(input.dag),
            tracking_run_id: input.trackingRunId,
            resumed_from: input.resumedFrom,
            error: null,
            start_time: Date.now(),
            end_time: null,
            triggered_by: input.triggeredBy ?? null,
            cancel_requested_at: null,
            heartbeat_at: Date.now(),
          })
          .execute();
        if (input.steps.length === 0) return;
        await trx
          .insertInto("pipeline_step_runs")
          .values(
            input.steps.map((step) => ({
              run_id: input.runId,
              step_name: step,
              status: "pending" as const,
              attempts: 0,
              cache_key: null,
              cached_from: null,
              inputs: null,
              outputs: null,
              error: null,
              tracking_run_id: null,
              start_time: null,
              end_time: null,
              logs: null,
            })),
          )
          .execute();
      });
    },

    async updateStep(runId, step, changes) {
      const row: Partial<PipelineStepRunsTable> = {};
      if (changes.status !== undefined) row.status = changes.status;
      if (changes.attempts !== undefined) row.attempts = changes.attempts;
      if (changes.cacheKey !== undefined) row.cache_key = changes.cacheKey;
      if (changes.cachedFrom !== undefined) row.cached_from = changes.cachedFrom;
      if (changes.inputs !== undefined) row.inputs = json(changes.inputs);
      if (changes.outputs !== undefined) row.outputs = json(changes.outputs);
      if (changes.error !== undefined) row.error = json(changes.error);
      if (changes.trackingRunId !== undefined) row.tracking_run_id = changes.trackingRunId;
      if (changes.startTime !== undefined) row.start_time = changes.startTime;
      if (changes.endTime !== undefined) row.end_time = changes.endTime;
      if (changes.logs !== undefined) row.logs = keepTail(changes.logs, MAX_LOG_CHARS);
      if (Object.keys(row).length === 0) return;
      await db
        .updateTable("pipeline_step_runs")
        .set(row)
        .where("run_id", "=", runId)
        .where("step_name", "=", step)
        .execute();
    },

    async finishRun(runId, status, error) {
      await db
        .updateTable("pipeline_runs")
        .set({ status, error, end_time: Date.now() })
        .where("run_id", "=", runId)
        .execute();
    },

    async getRun(runId) {
      const row = await db
        .selectFrom("pipeline_runs")
        .selectAll()
        .where("run_id", "=", runId)
        .executeTakeFirst();
      if (row === undefined) throw runNotFound(runId);
      const run = toRun(row);
      const steps = (
        await db.selectFrom("pipeline_step_runs").selectAll().where("run_id", "=", runId).execute()
      ).map(toStep);
      const position = new Map(run.dag.steps.map((s, i) => [s.name, i]));
      steps.sort((a, b) => (position.get(a.step) ?? 0) - (position.get(b.step) ?? 0));
      return { ...run, steps };
    },

    async listRuns(query = {}) {
      let q = db.selectFrom("pipeline_runs").selectAll();
      if (query.pipelineName !== undefined) q = q.where("pipeline_name", "=", query.pipelineName);
      const rows = await q
        .orderBy("start_time", "desc")
        .orderBy("run_id", "desc")
        .limit(query.limit ?? 100)
        .execute();
      return rows.map(toRun);
    },

    async findSucceeded(cacheKey) {
      const row = await db
        .selectFrom("pipeline_step_runs")
        .selectAll()
        .where("cache_key", "=", cacheKey)
        .where("status", "=", "succeeded")
        .orderBy("end_time", "desc")
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : toStep(row);
    },

    async requestCancel(runId, staleAfterMs) {
      return metadata.transaction(async (trx): Promise<CancelOutcome> => {
        const row = await trx
          .selectFrom("pipeline_runs")
          .select(["status", "heartbeat_at"])
          .where("run_id", "=", runId)
          .executeTakeFirst();
        if (row === undefined) throw runNotFound(runId);
        if (row.status !== "running") return "finished";
        const now = Date.now();
        const heartbeat = row.heartbeat_at === null ? null : Number(row.heartbeat_at);
        const orphaned = heartbeat === null || now - heartbeat > staleAfterMs;
        await trx
          .updateTable("pipeline_runs")
          .set(
            orphaned
              ? { cancel_requested_at: now, status: "cancelled", error: "cancelled", end_time: now }
              : { cancel_requested_at: now },
          )
          .where("run_id", "=", runId)
          .execute();
        if (!orphaned) return "requested";
        await trx
          .updateTable("pipeline_step_runs")
          .set({ status: "cancelled", end_time: now })
          .where("run_id", "=", runId)
          .where("status", "in", ["pending", "running"])
          .execute();
        return "cancelled";
      });
    },

    async heartbeat(runIds) {
      if (runIds.length === 0) return [];
      await db
        .updateTable("pipeline_runs")
        .set({ heartbeat_at: Date.now() })
        .where("run_id", "in", [...runIds])
        .execute();
      const rows = await db
        .selectFrom("pipeline_runs")
        .select("run_id")
        .where("run_id", "in", [...runIds])
        .where("cancel_requested_at", "is not", null)
        .execute();
      return rows.map((r) => r.run_id);
    },

    async logs(runId, step) {
      const run = await db
        .selectFrom("pipeline_runs")
        .select("dag")
        .where("run_id", "=", runId)
        .executeTakeFirst();
      if (run === undefined) throw runNotFound(runId);
      let q = db
        .selectFrom("pipeline_step_runs")
        .select(["step_name", "logs"])
        .where("run_id", "=", runId);
      if (step !== undefined) q = q.where("step_name", "=", step);
      const rows = await q.execute();
      if (step !== undefined && rows.length === 0) {
        throw new PlinthError(
          "PIPELINES_RUN_NOT_FOUND",
          `Pipeline run '${runId}' has no step '${step}'`,
          { field: "step" },
        );
      }
      const dag = JSON.parse(run.dag) as { steps: Array<{ name: string }> };
      const position = new Map(dag.steps.map((s, i) => [s.name, i]));
      rows.sort((a, b) => (position.get(a.step_name) ?? 0) - (position.get(b.step_name) ?? 0));
      return rows.map((r) => ({ step: r.step_name, logs: r.logs ?? "" }));
    },
  };
  return Object.freeze(store);
}

/** A step's log is kept in the database up to this many characters, newest lines first kept. */
const MAX_LOG_CHARS = 1 << 20;

function keepTail(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = text.indexOf("\n", text.length - limit);
  return `[earlier lines dropped]\n${text.slice(cut < 0 ? text.length - limit : cut + 1)}`;
}

function runNotFound(runId: string): PlinthError {
  return new PlinthError("PIPELINES_RUN_NOT_FOUND", `No pipeline run has id '${runId}'`, {
    field: "run_id",
  });
}

function json(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

function parse<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function toRun(row: Selectable<PipelineRunsTable>): PipelineRunRecord {
  return {
    runId: row.run_id,
    pipelineName: row.pipeline_name,
    status: row.status,
    params: JSON.parse(row.params),
    dag: JSON.parse(row.dag),
    trackingRunId: row.tracking_run_id,
    resumedFrom: row.resumed_from,
    error: row.error,
    startTime: Number(row.start_time),
    endTime: row.end_time === null ? null : Number(row.end_time),
    triggeredBy: row.triggered_by,
    cancelRequestedAt: row.cancel_requested_at === null ? null : Number(row.cancel_requested_at),
    heartbeatAt: row.heartbeat_at === null ? null : Number(row.heartbeat_at),
  };
}

function toStep(row: Selectable<PipelineStepRunsTable>): StepRunRecord {
  return {
    runId: row.run_id,
    step: row.step_name,
    status: row.status,
    attempts: Number(row.attempts),
    cacheKey: row.cache_key,
    cachedFrom: row.cached_from,
    inputs: parse(row.inputs),
    outputs: parse(row.outputs),
    error: parse(row.error),
    trackingRunId: row.tracking_run_id,
    startTime: row.start_time === null ? null : Number(row.start_time),
    endTime: row.end_time === null ? null : Number(row.end_time),
  };
}
