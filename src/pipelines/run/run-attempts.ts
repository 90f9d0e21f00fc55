import { isPlinthError, PlinthError } from "../../core/errors.ts";
import type { RetryPolicy } from "../definition/step.ts";
import { attemptLoggedOf, withAttemptLogged } from "../executors/failed-attempt.ts";
import type { StepExecutor } from "../executors/step-executor.ts";
import type { LoggedMetric, StepTask, StepTaskResult } from "../executors/step-task.ts";
import { type ConcurrencyLimiter, cancelled } from "./concurrency-limiter.ts";

/**
 * Runs a task's attempts until one succeeds: each waits for a slot, runs under its own
 * timeout, and a failure waits `backoffMs · 2^(n-1)` before attempt n+1. Cancellation and
 * unstorable outputs are not retried: another attempt cannot fix them. The log of a failed
 * attempt is kept, marked with its number, ahead of the next attempt's.
 */
export async function runAttempts(args: {
  executor: StepExecutor;
  limiter: ConcurrencyLimiter;
  task: Omit<StepTask, "attempt">;
  retry: RetryPolicy;
  timeoutMs: number | undefined;
  signal: AbortSignal;
  onAttempt(attempt: number): void;
  onRetry(attempt: number, error: unknown, delayMs: number): void;
}): Promise<StepTaskResult & { attempts: number }> {
  const { retry, signal } = args;
  const earlierLogs: string[] = [];
  const earlierMetrics: LoggedMetric[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      const release = await args.limiter.acquire(signal);
      try {
        args.onAttempt(attempt);
        const result = await runOnce(args, attempt);
        return {
          ...result,
          logs: [...earlierLogs, ...result.logs],
          metrics: [...earlierMetrics, ...result.metrics],
          attempts: attempt,
        };
      } finally {
        release();
      }
    } catch (error) {
      const logged = attemptLoggedOf(error);
      earlierMetrics.push(...logged.metrics);
      earlierLogs.push(
        ...(attempt > 1 || retry.attempts > 1
          ? logged.logs.map((line) => `[attempt ${attempt}] ${line}`)
          : logged.logs),
      );
      const final =
        attempt >= retry.attempts ||
        signal.aborted ||
        isPlinthError(error, "PIPELINES_CANCELLED") ||
        isPlinthError(error, "PIPELINES_UNSERIALISABLE_OUTPUT") ||
        isPlinthError(error, "PIPELINES_INVALID_DEFINITION");
      if (final) {
        const e = Object.assign(asError(error), { attempts: attempt });
        throw withAttemptLogged(e, { metrics: earlierMetrics, logs: earlierLogs });
      }
      earlierLogs.push(
        `[attempt ${attempt}] failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      const delayMs = retry.backoffMs * 2 ** (attempt - 1);
      args.onRetry(attempt, error, delayMs);
      await sleep(delayMs, signal).catch((e) => {
        const cancelledError = Object.assign(e as Error, { attempts: attempt });
        throw withAttemptLogged(cancelledError, { metrics: earlierMetrics, logs: earlierLogs });
      });
    }
  }
}

function runOnce(
  args: Parameters<typeof runAttempts>[0],
  attempt: number,
): Promise<StepTaskResult> {
  const timeout = new AbortController();
  const signal = AbortSignal.any([args.signal, timeout.signal]);
  return new Promise<StepTaskResult>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const settle = () => {
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    // The attempt settles on abort even if the step ignores its signal: the run must not
    // hang on a step that does not cooperate.
    const onAbort = () => {
      settle();
      reject(
        args.signal.aborted
          ? cancelled()
          : new PlinthError(
              "PIPELINES_STEP_TIMEOUT",
              `Step '${args.task.step}' attempt ${attempt} ran longer than ${args.timeoutMs} ms`,
              { field: `steps.${args.task.step}.timeoutMs` },
            ),
      );
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    if (args.timeoutMs !== undefined) timer = setTimeout(() => timeout.abort(), args.timeoutMs);
    args.executor.run({ ...args.task, attempt }, signal).then(
      (result) => {
        settle();
        resolve(result);
      },
      (error) => {
        settle();
        reject(error);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
