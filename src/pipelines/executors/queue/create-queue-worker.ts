import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { type Job, Worker } from "bullmq";
import { Redis } from "ioredis";
import { createContentAddressedStore } from "../../../artifacts/content-addressed-store.ts";
import { invalidArgument, PlinthError } from "../../../core/errors.ts";
import type { StepPlatform } from "../../definition/step-platform.ts";
import { createOutputStore } from "../../run/output-store.ts";
import { attemptLoggedOf } from "../failed-attempt.ts";
import { createInProcessExecutor } from "../in-process/create-in-process-executor.ts";
import { serializeError } from "../serialized-error.ts";
import { createPipelineModuleCache } from "./pipeline-module-cache.ts";
import {
  cancelChannel,
  QUEUE_PREFIX,
  type StepJobData,
  type StepJobResult,
} from "./queue-protocol.ts";
import { redisOptions } from "./redis-options.ts";

/** How a worker takes jobs and how fast the queue notices a dead one. */
export interface QueueWorkerOptions {
  /** The stores steps read and write; the same ones the drivers use. */
  readonly platform: StepPlatform;
  readonly redisUrl: string;
  readonly queue: string;
  /** Steps this worker runs at once (default 1). */
  readonly concurrency?: number;
  /**
   * How long a job's lock lasts without renewal, in ms (default 30000). The worker renews it
   * every half of this; a worker that dies stops renewing, and once the lock expires the
   * stalled-job check hands the job to another worker. A main-thread step that blocks the
   * event loop longer than this loses its lock too, so run CPU-heavy steps with
   * `thread: "worker"` or raise this.
   */
  readonly lockDurationMs?: number;
  /** How often this worker looks for stalled jobs, in ms (default 30000). */
  readonly stalledIntervalMs?: number;
  /** How many times one job may be re-queued after losing its worker before it fails (default 1). */
  readonly maxStalledCount?: number;
  /** Recorded with each job it runs (default `host:pid`). */
  readonly name?: string;
  /** Called as jobs start and finish, for the CLI's output. */
  readonly onEvent?: (event: QueueWorkerEvent) => void;
}

/** What a worker reports. */
export type QueueWorkerEvent =
  | { type: "started"; jobId: string; runId: string; step: string; index: number | undefined }
  | {
      type: "finished";
      jobId: string;
      runId: string;
      step: string;
      index: number | undefined;
      ok: boolean;
      durationMs: number;
    }
  | { type: "error"; message: string };

/** A running worker. */
export interface QueueWorker {
  /** The name recorded with each job it runs. */
  readonly name: string;
  /** Stops taking jobs and waits for the running ones to finish (`force`: aborts them). */
  close(force?: boolean): Promise<void>;
}

/**
 * Takes step attempts off a pipeline queue and runs them with the stores of `platform`:
 * it imports each task's pipeline module (cached; re-imported when the step's code
 * changed), loads the inputs from the artifact store, runs the step, stores its outputs
 * and answers with their addresses. A step's failure is answered too, with its code and
 * stack. A driver's cancel message aborts the step's signal.
 *
 * @example
 * const worker = await createQueueWorker({ platform, redisUrl: "redis://127.0.0.1:6379", queue: "ml", concurrency: 2 });
 * process.once("SIGTERM", () => void worker.close());
 */
export async function createQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const concurrency = options.concurrency ?? 1;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw invalidArgument("concurrency", "must be a positive integer");
  }
  const lockDuration = options.lockDurationMs ?? 30_000;
  const emit = (event: QueueWorkerEvent) => options.onEvent?.(event);
  const outputs = createOutputStore(createContentAddressedStore(options.platform.artifacts));
  const modules = createPipelineModuleCache(name);
  const scratchBase = await mkdtemp(join(tmpdir(), "plinth-worker-"));

  async function processStep(
    job: Job<StepJobData, StepJobResult>,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<StepJobResult> {
    const { task } = job.data;
    const started = Date.now();
    const about = {
      jobId: job.id ?? "",
      runId: task.runId,
      step: task.step,
      index: task.item?.index,
    };
    emit({ type: "started", ...about });
    // Created only if the step asks for scratch space or gets file inputs: most do not,
    // and a directory made and removed per job costs a short step more than it does.
    const scratchRoot = join(scratchBase, job.id ?? randomUUID());
    try {
      const pipeline = await modules.pipelineFor(task);
      const executor = createInProcessExecutor({
        pipeline,
        platform: options.platform,
        outputs,
        scratchRoot,
        concurrency: 1,
      });
      const result = await executor.run(task, signal ?? new AbortController().signal);
      emit({ type: "finished", ...about, ok: true, durationMs: Date.now() - started });
      return { ok: true, result, worker: name };
    } catch (error) {
      emit({ type: "finished", ...about, ok: false, durationMs: Date.now() - started });
      return {
        ok: false,
        error: serializeError(error),
        logged: attemptLoggedOf(error),
        worker: name,
      };
    } finally {
      await rm(scratchRoot, { recursive: true, force: true });
    }
  }

  const worker = new Worker<StepJobData, StepJobResult>(options.queue, processStep, {
    connection: redisOptions(options.redisUrl, true),
    prefix: QUEUE_PREFIX,
    name,
    concurrency,
    lockDuration,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 1,
    autorun: false,
  });
  const subscriber = new Redis(options.redisUrl, { lazyConnect: true });
  const onError = (error: unknown) =>
    emit({ type: "error", message: error instanceof Error ? error.message : String(error) });
  worker.on("error", onError);
  subscriber.on("error", onError);
  try {
    await Promise.race([
      Promise.all([worker.waitUntilReady(), subscriber.connect()]),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error("no answer in 5000 ms")), 5000).unref(),
      ),
    ]);
    await subscriber.subscribe(cancelChannel(options.queue));
  } catch (error) {
    await Promise.allSettled([worker.close(true), subscriber.quit()]);
    subscriber.disconnect();
    await rm(scratchBase, { recursive: true, force: true });
    throw new PlinthError(
      "PIPELINES_QUEUE_UNAVAILABLE",
      `Cannot reach the pipeline queue's Redis at ${options.redisUrl}: ${error instanceof Error ? error.message : String(error)}`,
      { field: "redisUrl", cause: error },
    );
  }
  subscriber.on("message", (_channel: string, jobId: string) => {
    worker.cancelJob(jobId, "cancelled by the pipeline run");
  });
  void worker.run().catch(onError);

  return {
    name,
    async close(force = false) {
      if (force) worker.cancelAllJobs("the worker is shutting down");
      await Promise.allSettled([worker.close(force), subscriber.quit()]);
      await rm(scratchBase, { recursive: true, force: true });
    },
  };
}
