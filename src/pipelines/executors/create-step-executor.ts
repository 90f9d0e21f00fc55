import type { Pipeline } from "../definition/define-pipeline.ts";
import type { OutputStore } from "../run/output-store.ts";
import type { ExecutorConfig } from "./executor-config.ts";
import { createInProcessExecutor } from "./in-process/create-in-process-executor.ts";
import type { StepExecutor } from "./step-executor.ts";

/** What every executor needs from the run: the pipeline, where outputs go, and a scratch root. */
export interface ExecutorEnvironment {
  readonly pipeline: Pipeline;
  readonly outputs: OutputStore;
  /** A directory for step scratch space and downloaded path inputs, removed after the run. */
  readonly scratchRoot: string;
}

/**
 * The one place that turns an executor config into an executor.
 *
 * @example
 * const executor = createStepExecutor({ type: "in-process", concurrency: 2 }, env);
 */
export function createStepExecutor(config: ExecutorConfig, env: ExecutorEnvironment): StepExecutor {
  switch (config.type) {
    case "in-process":
      return createInProcessExecutor({ ...env, concurrency: config.concurrency ?? 4 });
  }
}
