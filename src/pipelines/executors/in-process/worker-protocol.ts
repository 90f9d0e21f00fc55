import type { SerializedError } from "../serialized-error.ts";

/**
 * Messages between the executor and a step's worker thread. Structured cloning drops the
 * symbol that marks a `pathOutput`, so paths cross as `{ [PATH_KEY]: path }` and are
 * re-marked on the other side.
 */
export const PATH_KEY = "__plinthPath";

/** What the worker is started with (its `workerData`). */
export interface WorkerStart {
  moduleUrl: string;
  step: string;
  inputs: Record<string, unknown>;
  runId: string;
  trackingRunId: string | undefined;
  attempt: number;
  index: number | undefined;
  scratchRoot: string;
}

/** What the worker reports. */
export type WorkerMessage =
  | { type: "metric"; key: string; value: number; step: number; timestamp: number }
  | { type: "log"; line: string }
  | { type: "done"; outputs: unknown }
  | { type: "error"; error: SerializedError };
