import { resolveConfig } from "../../core/config.ts";
import { invalidArgument } from "../../core/errors.ts";
import { createQueueWorker } from "../../pipelines/executors/queue/create-queue-worker.ts";
import { openPlatform } from "../../platform.ts";
import type { Command } from "../command.ts";
import { integerFlag, queueFlag, redisFlag } from "./pipeline-flags.ts";

export const workerCommand: Command = {
  summary: "Process pipeline steps from a Redis queue (the queue executor's workers)",
  usage: `plinth worker [--redis URL] [--queue NAME] [--concurrency N] [--lock-duration MS]
              [--stalled-interval MS] [--max-stalled N] [--home DIR] [--json]

Takes step attempts off the queue (default: PLINTH_PIPELINE_QUEUE, else 'plinth') on Redis
(--redis, PLINTH_REDIS_URL, else redis://127.0.0.1:6379) and runs N at a time (default 1).
Run any number, on any machine that reaches the Redis and the same stores (PLINTH_METADATA_URL,
PLINTH_ARTIFACTS) and has the pipeline modules at the paths the runs name.

A worker that dies mid-step stops renewing the step's lock; after --lock-duration (default
30000 ms) another worker's stalled-job check (every --stalled-interval ms, default 30000)
moves the job back to the queue and a live worker runs it again. A job re-queued more than
--max-stalled times (default 1) fails the attempt; the step's own retries then apply. Keep
the lock well above the longest stretch a step blocks the event loop (CPU-heavy steps:
thread: "worker"). SIGINT/SIGTERM stop taking jobs and finish the running ones; a second
signal aborts them.`,
  options: {
    redis: { type: "string" },
    queue: { type: "string" },
    concurrency: { type: "string" },
    "lock-duration": { type: "string" },
    "stalled-interval": { type: "string" },
    "max-stalled": { type: "string" },
  },

  async run({ positionals, values, io }) {
    if (positionals.length > 0) {
      throw invalidArgument("worker", `unexpected argument '${positionals[0]}'`);
    }
    const config = resolveConfig({
      overrides: typeof values.home === "string" ? { home: values.home } : {},
    });
    const configured = config.pipelines.executor;
    const redisUrl =
      values.redis === undefined && configured.type === "queue"
        ? configured.redisUrl
        : redisFlag(values);
    const queue = queueFlag(values) ?? (configured.type === "queue" ? configured.queue : "plinth");
    const concurrency = integerFlag(values.concurrency, "concurrency", 1, 1, 1024);
    const lockDurationMs = integerFlag(
      values["lock-duration"],
      "lock-duration",
      30_000,
      100,
      86_400_000,
    );
    const stalledIntervalMs = integerFlag(
      values["stalled-interval"],
      "stalled-interval",
      30_000,
      100,
      86_400_000,
    );
    const maxStalledCount = integerFlag(values["max-stalled"], "max-stalled", 1, 0, 1000);
    const platform = await openPlatform(config);
    const log = (event: Record<string, unknown>, text: string) =>
      io.stderr(io.json ? JSON.stringify(event) : text);
    try {
      const worker = await createQueueWorker({
        platform,
        redisUrl,
        queue,
        concurrency,
        lockDurationMs,
        stalledIntervalMs,
        maxStalledCount,
        onEvent: (e) => {
          if (e.type === "error") log(e, `worker error: ${e.message}`);
          else if (e.type === "started")
            log(
              e,
              `started  ${e.step}${e.index === undefined ? "" : `[${e.index}]`} of run ${e.runId}`,
            );
          else
            log(
              e,
              `${e.ok ? "finished" : "failed  "} ${e.step}${e.index === undefined ? "" : `[${e.index}]`} of run ${e.runId} in ${e.durationMs} ms`,
            );
        },
      });
      const ready = { event: "ready", worker: worker.name, queue, redis: redisUrl, concurrency };
      io.stdout(
        io.json
          ? JSON.stringify(ready)
          : `plinth worker ${worker.name} processing queue '${queue}' on ${redisUrl}, ${concurrency} at a time`,
      );
      let signals = 0;
      await new Promise<void>((resolve) => {
        const stop = () => {
          signals += 1;
          if (signals === 1) void worker.close(false).then(resolve);
          else void worker.close(true).then(resolve);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      return 0;
    } finally {
      await platform.close();
    }
  },
};
