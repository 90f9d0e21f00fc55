import { PlinthError } from "../../core/errors.ts";
import type { Pipeline } from "../definition/define-pipeline.ts";
import type { StepPlatform } from "../definition/step-platform.ts";
import type { OutputStore } from "../run/output-store.ts";
import type { ExecutorConfig } from "./executor-config.ts";
import { createInProcessExecutor } from "./in-process/create-in-process-executor.ts";
import { createQueueExecutor } from "./queue/create-queue-executor.ts";
import type { StepExecutor } from "./step-executor.ts";

/** What every executor needs from the run: the pipeline, where outputs go, and a scratch root. */
export interface ExecutorEnvironment {
  readonly pipeline: Pipeline;
  readonly platform: StepPlatform;
  readonly outputs: OutputStore;
  /** A directory for step scratch space and downloaded path inputs, removed after the run. */
  readonly scratchRoot: string;
  /** Where the pipeline module lives; a queue's workers import it from there. */
  readonly moduleUrl: string | undefined;
}

/**
 * The one place that turns an executor config into an executor. It fails before anything
 * runs when the pipeline cannot run there: worker-thread steps and queue workers import
 * the pipeline's module, so they need it loaded from one.
 *
 * @example
 * const executor = await createStepExecutor({ type: "in-process", concurrency: 2 }, env);
 */
export async function createStepExecutor(
  config: ExecutorConfig,
  env: ExecutorEnvironment,
): Promise<StepExecutor> {
  const needsModule =
    config.type === "queue"
      ? "runs on queue workers"
      : env.pipeline.steps.some((s) => s.thread === "worker")
        ? `has worker-thread steps (${env.pipeline.steps
            .filter((s) => s.thread === "worker")
            .map((s) => `'${s.name}'`)
            .join(", ")})`
        : undefined;
  if (needsModule !== undefined && env.moduleUrl === undefined) {
    throw new PlinthError(
      "PIPELINES_INVALID_DEFINITION",
      `Pipeline '${env.pipeline.name}' ${needsModule}, which import its module: load it with loadPipelineFile (as 'plinth pipeline run' does) and pass moduleUrl`,
      { field: "moduleUrl" },
    );
  }
  switch (config.type) {
    case "in-process":
      return createInProcessExecutor({ ...env, concurrency: config.concurrency ?? 4 });
    case "queue":
      return createQueueExecutor({
        redisUrl: config.redisUrl,
        queue: config.queue,
        concurrency: config.concurrency ?? 64,
      });
  }
}
