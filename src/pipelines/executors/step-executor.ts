import type { StepTask, StepTaskResult } from "./step-task.ts";

/**
 * Runs step attempts: in this process, or (later) on queue workers. The runner owns the
 * graph — order, caching, retries, timeouts and state — and hands an executor one attempt
 * at a time, never more than `concurrency` at once.
 */
export interface StepExecutor {
  /** How many attempts may run at once. */
  readonly concurrency: number;
  /**
   * Runs one attempt: loads its inputs, calls the step, stores its outputs. Rejects with
   * what the step threw, or `PIPELINES_UNSERIALISABLE_OUTPUT` for an output it cannot store.
   * `signal` aborts on cancellation or timeout; the executor passes it to the step.
   */
  run(task: StepTask, signal: AbortSignal): Promise<StepTaskResult>;
  /** Releases workers and connections. */
  close(): Promise<void>;
}
