import { setMaxListeners } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createContentAddressedStore } from "../../artifacts/content-addressed-store.ts";
import { invalidArgument, PlinthError } from "../../core/errors.ts";
import { newRunId } from "../../core/ids.ts";
import { LIMITS } from "../../tracking/validation.ts";
import type { Pipeline } from "../definition/define-pipeline.ts";
import { resolveParams } from "../definition/param-spec.ts";
import type { StepDefinition } from "../definition/step.ts";
import type { StepPlatform } from "../definition/step-platform.ts";
import { createStepExecutor } from "../executors/create-step-executor.ts";
import type { ExecutorConfig } from "../executors/executor-config.ts";
import type { StepExecutor } from "../executors/step-executor.ts";
import { createMetadataPipelineRunStore } from "../state/metadata/create-metadata-pipeline-run-store.ts";
import type {
  PipelineDag,
  PipelineRunRecord,
  PipelineRunStatus,
  StepRunRecord,
  StepRunStatus,
} from "../state/pipeline-run-types.ts";
import { createConcurrencyLimiter } from "./concurrency-limiter.ts";
import { createOutputStore } from "./output-store.ts";
import type { PipelineEvent } from "./pipeline-event.ts";
import { createStepRunner } from "./step-runner.ts";
import { createPipelineTracking, PIPELINE_TAGS as TAG } from "./step-tracking.ts";

/** How to run a pipeline. */
export interface RunPipelineOptions {
  /** The stores: run state in `metadata`, outputs in `artifacts`, lineage in `tracking`. */
  platform: StepPlatform;
  /** Parameter values; strings are parsed to the declared types (as from the command line). */
  params?: Readonly<Record<string, unknown>>;
  /** Where steps run (default: in this process, 4 at a time). */
  executor?: ExecutorConfig;
  /** Aborting cancels the run: waiting steps never start, running steps see their signal abort. */
  signal?: AbortSignal;
  /**
   * A failed, cancelled or killed run to continue: its finished steps whose cache key still
   * matches are reused, whether or not they opted out of caching. Its params are the defaults.
   */
  resumeFrom?: string;
  /** The tracking experiment (default: the pipeline's name). */
  experiment?: string;
  /** Where the pipeline module lives, so remote executors can import it. */
  moduleUrl?: string;
  /** Progress callback. */
  onEvent?: (event: PipelineEvent) => void;
  /** The run's id, when the caller must know it before the run starts (default: a new one). */
  runId?: string;
  /** Recorded with the run: `cli`, `api`, `schedule:<id>`, ... */
  triggeredBy?: string;
  /**
   * How often the run marks itself alive and checks for `plinth pipeline cancel`, in ms
   * (default 1000).
   */
  heartbeatMs?: number;
}

/** A run whose driver has not marked it alive for this long is taken as killed. */
export const STALE_RUN_MS = 15_000;

/** A finished pipeline run: its record, its steps, and a way to read their outputs. */
export interface PipelineRunResult extends PipelineRunRecord {
  readonly steps: StepRunRecord[];
  /**
   * One output of a succeeded or cached step. File and directory outputs are copied under
   * a new temporary directory, which the caller owns.
   */
  output(step: string, name: string): Promise<unknown>;
}

/**
 * Runs a pipeline: steps in dependency order up to the executor's concurrency, each
 * skipped when an earlier successful run had the same cache key, retried and timed out as
 * it declares. A failing step fails the run and skips its downstream steps; independent
 * branches still finish. Resolves with the run's record once every step has settled; a
 * failed run resolves too (see `status`) — only bad input rejects.
 *
 * @example
 * const result = await runPipeline(pipeline, { platform, params: { n: 5 } });
 * if (result.status === "succeeded") console.log(await result.output("pick", "best"));
 */
export async function runPipeline(
  pipeline: Pipeline,
  options: RunPipelineOptions,
): Promise<PipelineRunResult> {
  const { platform } = options;
  const store = createMetadataPipelineRunStore(platform.metadata);
  const previous =
    options.resumeFrom === undefined ? undefined : await store.getRun(options.resumeFrom);
  if (previous !== undefined && previous.pipelineName !== pipeline.name) {
    throw invalidArgument(
      "resume",
      `run '${previous.runId}' is of pipeline '${previous.pipelineName}', not '${pipeline.name}'`,
    );
  }
  const params = resolveParams(pipeline.params, {
    ...(previous?.params ?? {}),
    ...(options.params ?? {}),
  });
  pipeline.checkParams?.(params);
  const outputs = createOutputStore(createContentAddressedStore(platform.artifacts));
  const runId = options.runId ?? newRunId();
  const dag = dagOf(pipeline);
  const scratchRoot = await mkdtemp(join(tmpdir(), "plinth-pipeline-"));
  let executor: StepExecutor | undefined;
  let statuses: StepRunStatus[];
  let trackingRunId: string;
  let tracking: Awaited<ReturnType<typeof createPipelineTracking>>;
  try {
    // Before the run is recorded: an executor that cannot start (no Redis, no module)
    // leaves nothing behind.
    executor = await createStepExecutor(options.executor ?? { type: "in-process" }, {
      pipeline,
      platform,
      outputs,
      scratchRoot,
      moduleUrl: options.moduleUrl,
    });
    tracking = await createPipelineTracking(platform.tracking, options.experiment ?? pipeline.name);
    trackingRunId = await tracking.start({
      runName: pipeline.name,
      tags: {
        [TAG.pipeline]: pipeline.name,
        [TAG.pipelineRunId]: runId,
        // The tag only when it fits whole: a cut JSON document is useless. The run state
        // always has the full DAG (`plinth pipeline show`).
        ...(JSON.stringify(dag).length <= LIMITS.tagValueLength
          ? { [TAG.dag]: JSON.stringify(dag) }
          : {}),
        ...(previous === undefined ? {} : { [TAG.resumedFrom]: previous.runId }),
      },
      params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
    });
    await store.createRun({
      runId,
      pipelineName: pipeline.name,
      params,
      dag,
      steps: pipeline.order,
      resumedFrom: previous?.runId ?? null,
      trackingRunId,
      triggeredBy: options.triggeredBy ?? null,
    });
  } catch (error) {
    await executor?.close();
    await rm(scratchRoot, { recursive: true, force: true });
    throw error;
  }
  options.onEvent?.({ type: "run-started", runId, pipeline: pipeline.name, steps: pipeline.order });

  // `plinth pipeline cancel` in any process reaches this run through its row.
  const cancelRequest = new AbortController();
  const heartbeat = setInterval(() => {
    store.heartbeat([runId]).then(
      (requested) => {
        if (requested.includes(runId)) cancelRequest.abort();
      },
      () => {}, // a missed heartbeat is retried at the next tick
    );
  }, options.heartbeatMs ?? 1000);
  const signal =
    options.signal === undefined
      ? cancelRequest.signal
      : AbortSignal.any([options.signal, cancelRequest.signal]);
  // Every waiting and running attempt listens on it; a wide fan-out has thousands.
  setMaxListeners(0, signal);
  try {
    const runner = createStepRunner({
      pipeline,
      runId,
      params,
      parentTrackingRunId: trackingRunId,
      moduleUrl: options.moduleUrl,
      store,
      outputs,
      tracking,
      executor,
      limiter: createConcurrencyLimiter(executor.concurrency),
      signal,
      previous: new Map(previous?.steps.map((s) => [s.step, s])),
      emit: (event) => options.onEvent?.(event),
    });
    const outcomes = await runner.runAll();
    statuses = outcomes.map((o) => (o.ok ? "succeeded" : o.status));
  } finally {
    clearInterval(heartbeat);
    await executor.close();
    await rm(scratchRoot, { recursive: true, force: true });
  }

  const status: PipelineRunStatus = statuses.includes("cancelled")
    ? "cancelled"
    : statuses.includes("failed")
      ? "failed"
      : "succeeded";
  const record = await store.getRun(runId);
  const failed = record.steps.find((s) => s.status === "failed");
  const error =
    status === "cancelled"
      ? "cancelled"
      : failed === undefined
        ? null
        : `step '${failed.step}' failed: ${failed.error?.message ?? "unknown error"}`;
  await store.finishRun(runId, status, error);
  await tracking.log(trackingRunId, { tags: { "plinth.pipeline.status": status } });
  await tracking.end(
    trackingRunId,
    status === "succeeded" ? "FINISHED" : status === "failed" ? "FAILED" : "KILLED",
  );
  options.onEvent?.({ type: "run-finished", runId, status });
  const finished = await store.getRun(runId);
  return {
    ...finished,
    async output(stepName, name) {
      const stepRun = finished.steps.find((s) => s.step === stepName);
      const stored = stepRun?.outputs?.[name];
      if (stored === undefined) {
        throw new PlinthError(
          "PIPELINES_MISSING_INPUT",
          `Step '${stepName}' of run '${runId}' has no output '${name}'`,
          { field: "output" },
        );
      }
      return outputs.get(stored, () => mkdtemp(join(tmpdir(), "plinth-output-")));
    },
  };
}

function dagOf(pipeline: Pipeline): PipelineDag {
  return {
    steps: pipeline.order.map((name) => {
      const s = pipeline.steps.find((x) => x.name === name) as StepDefinition;
      return {
        name,
        upstream: [...(pipeline.upstream[name] ?? [])],
        foreach: s.foreach !== undefined,
        cache: s.cache,
      };
    }),
  };
}
