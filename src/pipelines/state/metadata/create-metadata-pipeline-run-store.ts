import type { Selectable } from "kysely";
import { PlinthError } from "../../../core/errors.ts";
import type { MetadataStore } from "../../../metadata/metadata-store.ts";
import type { PipelineRunsTable, PipelineStepRunsTable } from "../../../metadata/schema.ts";
import type { PipelineRunStore } from "../pipeline-run-store.ts";
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
      if (row === undefined) {
        throw new PlinthError("PIPELINES_RUN_NOT_FOUND", `No pipeline run has id '${runId}'`, {
          field: "run_id",
        });
      }
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
  };
  return Object.freeze(store);
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
