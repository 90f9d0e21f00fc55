import type { AttemptLogged } from "../failed-attempt.ts";
import type { SerializedError } from "../serialized-error.ts";
import type { StepTask, StepTaskResult } from "../step-task.ts";

/**
 * What the queue executor and `plinth worker` exchange through BullMQ. A step's own
 * failure is a *completed* job whose result says so, so the error keeps its code and stack;
 * a *failed* job means the queue itself gave up on it (a worker died too often).
 */

/** Every plinth queue's Redis keys start with this (BullMQ's default is `bull`). */
export const QUEUE_PREFIX = "plinth";

/** The BullMQ job name of a step attempt. */
export const STEP_JOB = "step";

/** A job's data: one step attempt. */
export interface StepJobData {
  readonly task: StepTask;
}

/** A job's return value. */
export type StepJobResult =
  | { readonly ok: true; readonly result: StepTaskResult; readonly worker: string }
  | {
      readonly ok: false;
      readonly error: SerializedError;
      readonly logged: AttemptLogged;
      readonly worker: string;
    };

/** The pub/sub channel on which a driver asks the workers of `queue` to abort a job. */
export function cancelChannel(queue: string): string {
  return `${QUEUE_PREFIX}:${queue}:cancel`;
}
