import { mkdir, mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { invalidArgument, PlinthError } from "../../../core/errors.ts";
import type { Pipeline } from "../../definition/define-pipeline.ts";
import type { StepContext } from "../../definition/step-context.ts";
import type { StepPlatform } from "../../definition/step-platform.ts";
import type { OutputStore, StoredOutput } from "../../run/output-store.ts";
import { withAttemptLogged } from "../failed-attempt.ts";
import type { StepExecutor } from "../step-executor.ts";
import type { LoggedMetric, StepTask, StepTaskResult } from "../step-task.ts";
import { runInWorker } from "./run-in-worker.ts";

/**
 * Runs steps as async functions in this process, on the event loop: right for I/O-bound
 * steps and steps that hand heavy work to native code. A main-thread step that blocks the
 * loop delays the others, and a timed-out or cancelled one is told through its signal but
 * cannot be stopped from outside; a step declared `thread: "worker"` runs in a worker
 * thread of its own instead, which is terminated on timeout or cancellation.
 *
 * @example
 * const executor = createInProcessExecutor({ pipeline, platform, outputs, scratchRoot, concurrency: 4 });
 */
export function createInProcessExecutor(options: {
  pipeline: Pipeline;
  platform: StepPlatform;
  outputs: OutputStore;
  scratchRoot: string;
  concurrency: number;
}): StepExecutor {
  const { pipeline, platform, outputs, scratchRoot } = options;
  if (!Number.isSafeInteger(options.concurrency) || options.concurrency < 1) {
    throw invalidArgument("concurrency", "must be a positive integer");
  }
  const steps = new Map(pipeline.steps.map((s) => [s.name, s]));
  let scratchCount = 0;
  const scratch = async (label: string) => {
    scratchCount += 1;
    const dir = join(scratchRoot, `${String(scratchCount).padStart(6, "0")}-${label}`);
    await mkdir(dir, { recursive: true });
    return mkdtemp(join(dir, "d-"));
  };

  return {
    concurrency: options.concurrency,

    async run(task: StepTask, signal: AbortSignal) {
      const metrics: LoggedMetric[] = [];
      const logs: string[] = [];
      try {
        return await runTask(task, signal, metrics, logs);
      } catch (error) {
        throw withAttemptLogged(error, { metrics, logs });
      }
    },

    async close() {},
  };

  async function runTask(
    task: StepTask,
    signal: AbortSignal,
    metrics: LoggedMetric[],
    logs: string[],
  ): Promise<StepTaskResult> {
    const definition = steps.get(task.step);
    if (definition === undefined) throw new Error(`Step '${task.step}' is not in the pipeline`);
    const label = `${task.step}${task.item === undefined ? "" : `-${task.item.index}`}`;
    const inputs: Record<string, unknown> = {};
    for (const [name, snapshot] of Object.entries(task.inputs)) {
      inputs[name] =
        "param" in snapshot
          ? snapshot.param
          : await outputs.get(snapshot.output, () => scratch(`${label}-in`));
    }
    if (task.item !== undefined) {
      inputs.item = await outputs.get(task.item.value, () => scratch(`${label}-item`));
    }
    const ctx: StepContext = {
      runId: task.runId,
      step: task.step,
      trackingRunId: task.trackingRunId,
      attempt: task.attempt,
      index: task.item?.index,
      signal,
      platform,
      logMetric(key, value, step = 0) {
        metrics.push({ key, value, step, timestamp: Date.now() });
      },
      log(message) {
        logs.push(`${new Date().toISOString()} ${message}`);
      },
      scratchDir: (name) => scratch(`${label}-${name.replace(/[^\w.-]/g, "_")}`),
    };
    let result: unknown;
    if (definition.thread === "worker") {
      if (task.moduleUrl === undefined) {
        throw new PlinthError(
          "PIPELINES_INVALID_DEFINITION",
          `Step '${task.step}' runs in a worker thread, which needs the pipeline loaded from a file`,
          { field: `steps.${task.step}.thread` },
        );
      }
      result = await runInWorker(
        {
          moduleUrl: task.moduleUrl,
          step: task.step,
          inputs,
          runId: task.runId,
          trackingRunId: task.trackingRunId,
          attempt: task.attempt,
          index: task.item?.index,
          scratchRoot: await scratch(`${label}-worker`),
        },
        signal,
        { metrics, logs },
      );
    } else {
      result = await definition.run(inputs, ctx);
    }
    const field = `steps.${task.step}.outputs`;
    if (typeof result !== "object" || result === null || Array.isArray(result)) {
      throw new PlinthError(
        "PIPELINES_UNSERIALISABLE_OUTPUT",
        `Step '${task.step}' must return an object of named outputs, got ${Array.isArray(result) ? "an array" : typeof result}`,
        { field },
      );
    }
    const record = result as Record<string, unknown>;
    for (const name of definition.outputs ?? []) {
      if (!Object.hasOwn(record, name)) {
        throw new PlinthError(
          "PIPELINES_UNSERIALISABLE_OUTPUT",
          `Step '${task.step}' did not return its declared output '${name}'`,
          { field: `${field}.${name}` },
        );
      }
    }
    // Every output is checked before any is stored, so a bad one stores nothing.
    for (const [name, value] of Object.entries(record)) outputs.check(value, `${field}.${name}`);
    const stored: Record<string, StoredOutput> = {};
    for (const [name, value] of Object.entries(record)) {
      stored[name] = await outputs.put(value, `${field}.${name}`);
    }
    return { outputs: stored, metrics, logs };
  }
}
