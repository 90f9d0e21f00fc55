import { invalidArgument, PlinthError } from "../core/errors.ts";
import { isRunId, newRunId } from "../core/ids.ts";
import type { MetadataDb, MetadataStore } from "../metadata/metadata-store.ts";
import type { RunsTable } from "../metadata/schema.ts";
import { dedupeByKey } from "./experiments.ts";
import { loadRuns, toMetric, toRunInfo } from "./load-runs.ts";
import { type LogBatch, validateBatch, writeBatch } from "./log-batch.ts";
import { decodePageToken, encodePageToken, resolveMaxResults } from "./page-token.ts";
import { generateRunName } from "./run-names.ts";
import { type RunSearch, searchRuns } from "./run-search.ts";
import {
  type KeyValue,
  type Metric,
  type Page,
  RUN_NAME_TAG,
  RUN_STATUSES,
  type Run,
  type RunInfo,
  type RunStatus,
} from "./types.ts";
import {
  LIMITS,
  parseExperimentId,
  validateInteger,
  validateKey,
  validateStringValue,
} from "./validation.ts";

export interface CreateRun {
  experimentId?: string;
  runName?: string;
  userId?: string;
  startTime?: number;
  tags?: KeyValue[];
}

export interface UpdateRun {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

/** Runs: one execution of training code, with its params, metrics, tags and artifacts. */
export interface RunService {
  /** Starts a run (status RUNNING) in an active experiment; experiment 0 when none is named. */
  create(input: CreateRun): Promise<Run>;
  /** A run with its latest metrics, params and tags. */
  get(runId: string): Promise<Run>;
  /** Changes status, end time or name, and returns the new info. */
  update(runId: string, changes: UpdateRun): Promise<RunInfo>;
  /** Marks the run deleted (searches skip it; logging to it is refused). */
  delete(runId: string): Promise<void>;
  /** Brings a deleted run back. */
  restore(runId: string): Promise<void>;
  /** Logs metrics, params and tags atomically: all of the batch or none of it. */
  logBatch(runId: string, batch: LogBatch): Promise<void>;
  /** Removes one tag; a missing tag is an error, as in MLflow. */
  deleteTag(runId: string, key: string): Promise<void>;
  /** Every logged value of one metric, by step then timestamp. */
  metricHistory(
    runId: string,
    key: string,
    page?: { maxResults?: number; pageToken?: string },
  ): Promise<Page<Metric>>;
  /** A page of runs matching MLflow's run filter grammar. */
  search(query: RunSearch): Promise<Page<Run>>;
}

const MAX_HISTORY_RESULTS = 25_000_000;

/** The run service over a metadata store. */
export function createRunService(store: MetadataStore): RunService {
  const requireActive = (runId: string) => async (db: MetadataDb) => {
    const row = await requireRun(db, runId);
    if (row.lifecycle_stage !== "active") {
      throw new PlinthError(
        "TRACKING_RUN_NOT_ACTIVE",
        `The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
        { field: "run_id" },
      );
    }
  };

  return {
    async create(input) {
      const experimentId = parseExperimentId(input.experimentId ?? "0");
      const tags = (input.tags ?? []).map((t, i) => ({
        key: validateKey("tag", t.key, `tags[${i}].key`),
        value: validateStringValue(t.value, `tags[${i}].value`, LIMITS.tagValueLength),
      }));
      const runName =
        input.runName === undefined || input.runName === ""
          ? (tags.find((t) => t.key === RUN_NAME_TAG)?.value ?? generateRunName())
          : validateStringValue(input.runName, "run_name", LIMITS.tagValueLength);
      const userId =
        input.userId === undefined ? "" : validateStringValue(input.userId, "user_id", 256);
      const startTime =
        input.startTime === undefined ? Date.now() : validateInteger(input.startTime, "start_time");
      const runId = newRunId();
      await store.transaction(async (trx) => {
        const experiment = await trx
          .selectFrom("experiments")
          .select(["artifact_location", "lifecycle_stage"])
          .where("experiment_id", "=", experimentId)
          .executeTakeFirst();
        if (experiment === undefined) {
          throw new PlinthError(
            "TRACKING_EXPERIMENT_NOT_FOUND",
            `No Experiment with id=${experimentId} exists`,
            { field: "experiment_id" },
          );
        }
        if (experiment.lifecycle_stage !== "active") {
          throw new PlinthError(
            "TRACKING_EXPERIMENT_NOT_ACTIVE",
            `The experiment ${experimentId} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`,
            { field: "experiment_id" },
          );
        }
        await trx
          .insertInto("runs")
          .values({
            run_id: runId,
            experiment_id: experimentId,
            run_name: runName,
            user_id: userId,
            status: "RUNNING",
            start_time: startTime,
            end_time: null,
            lifecycle_stage: "active",
            artifact_uri: `${experiment.artifact_location}/${runId}/artifacts`,
            deleted_time: null,
          })
          .execute();
        const allTags = dedupeByKey([...tags, { key: RUN_NAME_TAG, value: runName }]);
        await trx
          .insertInto("tags")
          .values(allTags.map((t) => ({ run_id: runId, ...t })))
          .execute();
      });
      return this.get(runId);
    },

    async get(runId) {
      const row = await requireRun(store.db, runId);
      return (await loadRuns(store, [row]))[0]!;
    },

    async update(runId, changes) {
      const status = changes.status;
      if (status !== undefined && !RUN_STATUSES.includes(status)) {
        throw invalidArgument("status", `must be one of ${RUN_STATUSES.join(", ")}`);
      }
      const endTime =
        changes.endTime === undefined ? undefined : validateInteger(changes.endTime, "end_time");
      const runName =
        changes.runName === undefined || changes.runName === ""
          ? undefined
          : validateStringValue(changes.runName, "run_name", LIMITS.tagValueLength);
      await store.transaction(async (trx) => {
        await requireActive(runId)(trx);
        const set: Partial<RunsTable> = {};
        if (status !== undefined) set.status = status;
        if (endTime !== undefined) set.end_time = endTime;
        if (runName !== undefined) set.run_name = runName;
        if (Object.keys(set).length > 0) {
          await trx.updateTable("runs").set(set).where("run_id", "=", runId).execute();
        }
        if (runName !== undefined) {
          await trx
            .insertInto("tags")
            .values({ run_id: runId, key: RUN_NAME_TAG, value: runName })
            .onConflict((oc) => oc.columns(["run_id", "key"]).doUpdateSet({ value: runName }))
            .execute();
        }
      });
      return toRunInfo(await requireRun(store.db, runId));
    },

    async delete(runId) {
      await setRunStage(store, runId, "deleted");
    },

    async restore(runId) {
      await setRunStage(store, runId, "active");
    },

    async logBatch(runId, batch) {
      checkRunId(runId);
      const valid = validateBatch(batch);
      if (valid.metrics.length + valid.params.length + valid.tags.length === 0) {
        await requireActive(runId)(store.db);
        return;
      }
      await writeBatch(store, runId, valid, requireActive(runId));
    },

    async deleteTag(runId, key) {
      await store.transaction(async (trx) => {
        await requireActive(runId)(trx);
        const result = await trx
          .deleteFrom("tags")
          .where("run_id", "=", runId)
          .where("key", "=", key)
          .executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) {
          throw new PlinthError(
            "INVALID_ARGUMENT",
            `No tag with name: ${key} in run with id ${runId}`,
            { field: "key" },
          );
        }
      });
    },

    async metricHistory(runId, key, page = {}) {
      await requireRun(store.db, runId);
      const limit = resolveMaxResults(page.maxResults, MAX_HISTORY_RESULTS, MAX_HISTORY_RESULTS);
      const offset = decodePageToken(page.pageToken);
      const rows = await store.db
        .selectFrom("metrics")
        .select(["key", "value", "timestamp", "step", "is_nan"])
        .where("run_id", "=", runId)
        .where("key", "=", key)
        .orderBy("step")
        .orderBy("timestamp")
        .orderBy("value")
        .limit(limit + 1)
        .offset(offset)
        .execute();
      return {
        items: rows.slice(0, limit).map(toMetric),
        nextPageToken: rows.length > limit ? encodePageToken(offset + limit) : undefined,
      };
    },

    search(query) {
      return searchRuns(store, query);
    },
  };
}

function checkRunId(runId: string): void {
  if (typeof runId !== "string" || runId === "") {
    throw invalidArgument("run_id", "a run id is required");
  }
}

/** The run row, or RUN_NOT_FOUND. */
export async function requireRun(db: MetadataDb, runId: string) {
  checkRunId(runId);
  const row = isRunId(runId)
    ? await db.selectFrom("runs").selectAll().where("run_id", "=", runId).executeTakeFirst()
    : undefined;
  if (row === undefined) {
    throw new PlinthError("TRACKING_RUN_NOT_FOUND", `Run with id=${runId} not found`, {
      field: "run_id",
    });
  }
  return row;
}

async function setRunStage(store: MetadataStore, runId: string, stage: "active" | "deleted") {
  await store.transaction(async (trx) => {
    await requireRun(trx, runId);
    await trx
      .updateTable("runs")
      .set({ lifecycle_stage: stage, deleted_time: stage === "deleted" ? Date.now() : null })
      .where("run_id", "=", runId)
      .execute();
  });
}
