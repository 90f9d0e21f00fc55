import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { PlinthError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import type { Pipeline } from "../definition/define-pipeline.ts";
import { loadPipelineModule } from "../definition/load-pipeline-module.ts";
import type { StepPlatform } from "../definition/step-platform.ts";
import type { ExecutorConfig } from "../executors/executor-config.ts";
import { createMetadataRegisteredPipelineStore } from "../registered/metadata/create-metadata-registered-pipeline-store.ts";
import { runPipeline } from "../run/run-pipeline.ts";

/** Runs registered pipelines for callers that cannot wait: the trigger API and schedules. */
export interface PipelineService {
  /**
   * Starts a run of a registered (or built-in) pipeline and resolves with its id as soon as
   * the run is recorded; the run goes on in this process. Bad input — an unknown pipeline,
   * missing or mistyped params, a module that fails to load — rejects before anything runs.
   */
  trigger(input: {
    pipeline: string;
    params?: Readonly<Record<string, unknown>>;
    experiment?: string;
    /** Recorded with the run: `api`, `schedule:<id>`, ... */
    triggeredBy: string;
  }): Promise<{ runId: string }>;
  /** Ids of the runs started here that have not finished. */
  active(): string[];
  /** Resolves when every run started here has finished. */
  idle(): Promise<void>;
  /** Cancels the runs started here and waits for them to settle (resume them later). */
  close(): Promise<void>;
}

/**
 * The pipeline runner of a server. A registered module is imported again when its file
 * changed since the last run, so a server picks up edits without a restart.
 *
 * @example
 * const service = createPipelineService({ platform, executor: config.pipelines.executor });
 * const { runId } = await service.trigger({ pipeline: "training", params, triggeredBy: "api" });
 */
export function createPipelineService(options: {
  platform: StepPlatform;
  executor: ExecutorConfig;
  logger?: Logger;
}): PipelineService {
  const registered = createMetadataRegisteredPipelineStore(options.platform.metadata);
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  const modules = new Map<string, { mtimeMs: number; pipeline: Pipeline }>();
  let closing = false;

  async function load(module: string): Promise<Pipeline> {
    const mtimeMs = module.startsWith("file:")
      ? await stat(fileURLToPath(module)).then(
          (s) => s.mtimeMs,
          () => -1,
        )
      : 0;
    const cached = modules.get(module);
    if (cached !== undefined && cached.mtimeMs === mtimeMs) return cached.pipeline;
    const pipeline = await loadPipelineModule(module, { fresh: cached !== undefined });
    modules.set(module, { mtimeMs, pipeline });
    return pipeline;
  }

  return {
    async trigger(input) {
      if (closing) {
        throw new PlinthError(
          "PIPELINES_CANCELLED",
          "The server is shutting down; trigger the run again",
        );
      }
      const entry = await registered.get(input.pipeline);
      const pipeline = await load(entry.module);
      const controller = new AbortController();
      let started: (runId: string) => void = () => {};
      const recorded = new Promise<string>((resolve) => {
        started = resolve;
      });
      const run = runPipeline(pipeline, {
        platform: options.platform,
        params: input.params ?? {},
        executor: options.executor,
        moduleUrl: entry.module,
        signal: controller.signal,
        triggeredBy: input.triggeredBy,
        ...(input.experiment === undefined ? {} : { experiment: input.experiment }),
        onEvent: (event) => {
          if (event.type === "run-started") started(event.runId);
        },
      });
      // Whichever comes first: the run is recorded, or it was refused before starting.
      const runId = await Promise.race([recorded, run.then(() => recorded)]);
      const done = run.then(
        (result) => {
          options.logger?.info(
            { runId, pipeline: pipeline.name, status: result.status },
            "pipeline run finished",
          );
        },
        (error: unknown) => {
          options.logger?.error({ err: error, runId }, "pipeline run failed unexpectedly");
        },
      );
      running.set(runId, { controller, done });
      void done.finally(() => running.delete(runId));
      return { runId };
    },

    active: () => [...running.keys()],

    async idle() {
      while (running.size > 0) await Promise.all([...running.values()].map((r) => r.done));
    },

    async close() {
      closing = true;
      for (const r of running.values()) r.controller.abort();
      await Promise.all([...running.values()].map((r) => r.done));
    },
  };
}
