import { createEmbeddedTransport } from "../../tracking/client/embedded-transport.ts";
import type { TrackingService } from "../../tracking/tracking-service.ts";
import type { KeyValue, Metric, RunStatus } from "../../tracking/types.ts";
import { LIMITS } from "../../tracking/validation.ts";

/** Tag keys plinth sets on pipeline tracking runs. */
export const PIPELINE_TAGS = Object.freeze({
  parentRunId: "mlflow.parentRunId",
  pipeline: "plinth.pipeline.name",
  pipelineRunId: "plinth.pipeline.run_id",
  dag: "plinth.pipeline.dag",
  resumedFrom: "plinth.pipeline.resumed_from",
  step: "plinth.pipeline.step",
  cacheKey: "plinth.step.cache_key",
  codeVersion: "plinth.step.code_version",
  cached: "plinth.step.cached",
  cachedFrom: "plinth.step.cached_from",
  attempts: "plinth.step.attempts",
  error: "plinth.step.error",
  log: "plinth.step.log",
  inputPrefix: "plinth.input.",
  outputPrefix: "plinth.output.",
});

/**
 * Pipeline runs as tracking runs: a parent for the pipeline run and a child (tagged
 * `mlflow.parentRunId`, as MLflow nests runs) for each step.
 */
export interface PipelineTracking {
  /** Starts a run in the experiment, with tags and params; resolves to its id. */
  start(input: {
    runName: string;
    tags: Record<string, string>;
    params?: Record<string, string>;
  }): Promise<string>;
  /** Adds tags and metrics to a run. */
  log(runId: string, input: { tags?: Record<string, string>; metrics?: Metric[] }): Promise<void>;
  /** Ends a run with a status. */
  end(runId: string, status: RunStatus): Promise<void>;
}

/**
 * Tracking for one pipeline run, in experiment `experiment` (created when missing).
 *
 * @example
 * const tracking = await createPipelineTracking(platform.tracking, "fraud");
 * const parent = await tracking.start({ runName: "fraud", tags: {} });
 */
export async function createPipelineTracking(
  tracking: TrackingService,
  experiment: string,
): Promise<PipelineTracking> {
  const experimentId = await createEmbeddedTransport(tracking).ensureExperiment(experiment);
  return {
    async start(input) {
      const run = await tracking.runs.create({
        experimentId,
        runName: input.runName,
        tags: toKeyValues(input.tags),
      });
      const params = toKeyValues(input.params ?? {}, LIMITS.paramValueLength);
      for (let i = 0; i < params.length; i += LIMITS.batchParams) {
        await tracking.runs.logBatch(run.info.runId, {
          params: params.slice(i, i + LIMITS.batchParams),
        });
      }
      return run.info.runId;
    },
    async log(runId, input) {
      const tags = toKeyValues(input.tags ?? {});
      const metrics = input.metrics ?? [];
      // One batch when it fits MLflow's limits: every batch is a transaction.
      if (tags.length <= LIMITS.batchTags && tags.length + metrics.length <= LIMITS.batchTotal) {
        if (tags.length + metrics.length > 0)
          await tracking.runs.logBatch(runId, { tags, metrics });
        return;
      }
      for (let i = 0; i < tags.length; i += LIMITS.batchTags) {
        await tracking.runs.logBatch(runId, { tags: tags.slice(i, i + LIMITS.batchTags) });
      }
      for (let i = 0; i < metrics.length; i += LIMITS.batchMetrics) {
        await tracking.runs.logBatch(runId, { metrics: metrics.slice(i, i + LIMITS.batchMetrics) });
      }
    },
    async end(runId, status) {
      await tracking.runs.update(runId, { status, endTime: Date.now() });
    },
  };
}

/** Long values keep their end (the newest log lines, the last frames of a stack). */
function toKeyValues(
  record: Record<string, string>,
  limit: number = LIMITS.tagValueLength,
): KeyValue[] {
  return Object.entries(record).map(([key, value]) => ({
    key,
    value: value.length > limit ? `…${value.slice(value.length - limit + 1)}` : value,
  }));
}
