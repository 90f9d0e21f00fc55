import { randomUUID } from "node:crypto";
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { PlinthError } from "../../../core/errors.ts";
import { cancelled } from "../../run/concurrency-limiter.ts";
import { withAttemptLogged } from "../failed-attempt.ts";
import { rebuildError } from "../serialized-error.ts";
import type { StepExecutor } from "../step-executor.ts";
import type { StepTask, StepTaskResult } from "../step-task.ts";
import {
  cancelChannel,
  QUEUE_PREFIX,
  STEP_JOB,
  type StepJobData,
  type StepJobResult,
} from "./queue-protocol.ts";
import { redisOptions } from "./redis-options.ts";

/** How the driver finds a step whose completion event it missed (e.g. over a reconnect). */
const POLL_INTERVAL_MS = 5000;
/** Finished jobs stay in Redis this long, so a missed completion can still be read back. */
const KEEP_FINISHED_SECONDS = 3600;

interface Waiter {
  readonly addedAt: number;
  stalls: number;
  settle(outcome: { result: StepJobResult } | { failedReason: string }): void;
}

/**
 * Runs step attempts as BullMQ jobs on `queue`, for `plinth worker` processes on any
 * machine to pick up. The driver keeps the graph, retries and timeouts; a job is one
 * attempt. A worker killed mid-step loses its job lock and BullMQ's stalled-job check hands
 * the job to another worker, so the attempt still finishes; cancelling or timing out an
 * attempt removes its job if it waits, and tells the workers to abort it if it runs.
 *
 * @example
 * const executor = await createQueueExecutor({ redisUrl: "redis://127.0.0.1:6379", queue: "ml", concurrency: 64 });
 */
export async function createQueueExecutor(options: {
  redisUrl: string;
  queue: string;
  concurrency: number;
}): Promise<StepExecutor> {
  const { redisUrl, queue: name } = options;
  const queue = new Queue<StepJobData, StepJobResult>(name, {
    connection: redisOptions(redisUrl, false),
    prefix: QUEUE_PREFIX,
    // A long run emits several events per step; the default 10k could drop unread ones.
    streams: { events: { maxLen: 200_000 } },
  });
  const publisher = new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  const waiters = new Map<string, Waiter>();
  let lastError: unknown;
  const remember = (error: unknown) => {
    lastError = error;
  };
  queue.on("error", remember);
  publisher.on("error", remember);
  let events: QueueEvents | undefined;
  try {
    await withTimeout(Promise.all([queue.waitUntilReady(), publisher.connect()]), 5000);
    // Read events from the stream's current end, so nothing emitted after this is missed.
    const [last] = await publisher.xrevrange(
      `${QUEUE_PREFIX}:${name}:events`,
      "+",
      "-",
      "COUNT",
      1,
    );
    events = new QueueEvents(name, {
      connection: redisOptions(redisUrl, true),
      prefix: QUEUE_PREFIX,
      lastEventId: last?.[0] ?? "0-0",
    });
    events.on("error", remember);
    await withTimeout(events.waitUntilReady(), 5000);
  } catch (error) {
    await Promise.allSettled([queue.close(), events?.close(), publisher.quit()]);
    publisher.disconnect();
    throw new PlinthError(
      "PIPELINES_QUEUE_UNAVAILABLE",
      `Cannot reach the pipeline queue's Redis at ${redisUrl}: ${describe(lastError ?? error)}`,
      { field: "redisUrl", cause: error },
    );
  }
  events.setMaxListeners(0);
  events.on("completed", ({ jobId, returnvalue }) => {
    waiters.get(jobId)?.settle({ result: returnvalue as unknown as StepJobResult });
  });
  events.on("failed", ({ jobId, failedReason }) => {
    waiters.get(jobId)?.settle({ failedReason });
  });
  events.on("stalled", ({ jobId }) => {
    const waiter = waiters.get(jobId);
    if (waiter !== undefined) waiter.stalls += 1;
  });
  const poller = setInterval(() => void pollOverdue(), POLL_INTERVAL_MS);
  poller.unref();

  async function pollOverdue(): Promise<void> {
    const now = Date.now();
    for (const [id, waiter] of waiters) {
      if (now - waiter.addedAt < POLL_INTERVAL_MS) continue;
      try {
        const job = await queue.getJob(id);
        if (job === undefined) continue;
        if (job.finishedOn !== undefined && job.failedReason === undefined) {
          waiter.settle({ result: job.returnvalue });
        } else if (job.finishedOn !== undefined) {
          waiter.settle({ failedReason: job.failedReason });
        }
      } catch (error) {
        remember(error);
      }
    }
  }

  return {
    concurrency: options.concurrency,

    run(task: StepTask, signal: AbortSignal): Promise<StepTaskResult> {
      if (signal.aborted) return Promise.reject(cancelled());
      const id = randomUUID();
      return new Promise<StepTaskResult>((resolve, reject) => {
        const onAbort = () => {
          waiters.delete(id);
          // Still waiting: drop it. Already running: ask its worker to abort it.
          void queue.remove(id).catch(remember);
          void publisher.publish(cancelChannel(name), id).catch(remember);
          reject(signal.reason ?? cancelled());
        };
        const waiter: Waiter = {
          addedAt: Date.now(),
          stalls: 0,
          settle(outcome) {
            if (!waiters.delete(id)) return;
            signal.removeEventListener("abort", onAbort);
            if ("failedReason" in outcome) {
              reject(
                new PlinthError(
                  "PIPELINES_WORKER_FAILED",
                  `Step '${task.step}' attempt ${task.attempt} failed on the queue: ${outcome.failedReason}`,
                  { field: `steps.${task.step}` },
                ),
              );
              return;
            }
            const job = outcome.result;
            const note =
              waiter.stalls > 0
                ? [
                    `${new Date().toISOString()} [plinth] the job was re-queued ${waiter.stalls} time(s) after losing its worker; finished on ${job.worker}`,
                  ]
                : [];
            if (job.ok) {
              resolve({ ...job.result, logs: [...note, ...job.result.logs] });
            } else {
              reject(
                withAttemptLogged(rebuildError(job.error), {
                  metrics: job.logged.metrics,
                  logs: [...note, ...job.logged.logs],
                }),
              );
            }
          },
        };
        waiters.set(id, waiter);
        signal.addEventListener("abort", onAbort, { once: true });
        queue
          .add(
            STEP_JOB,
            { task },
            {
              jobId: id,
              attempts: 1,
              removeOnComplete: { age: KEEP_FINISHED_SECONDS },
              removeOnFail: { age: KEEP_FINISHED_SECONDS },
            },
          )
          .catch((error: unknown) => {
            waiters.delete(id);
            signal.removeEventListener("abort", onAbort);
            reject(
              new PlinthError(
                "PIPELINES_QUEUE_UNAVAILABLE",
                `Cannot queue step '${task.step}' on ${redisUrl}: ${describe(error)}`,
                { field: "redisUrl", cause: error },
              ),
            );
          });
      });
    },

    async close() {
      clearInterval(poller);
      await Promise.allSettled([events?.close(), queue.close(), publisher.quit()]);
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
