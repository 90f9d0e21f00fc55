import type { StepPlatform } from "./step-platform.ts";

/** What a running step can use besides its inputs. */
export interface StepContext {
  /** The pipeline run's id. */
  readonly runId: string;
  /** This step's name. */
  readonly step: string;
  /**
   * The step's own tracking run (a child of the pipeline's): pass it as the `runId` of a
   * model version the step registers, so the version traces back to this run.
   */
  readonly trackingRunId: string | undefined;
  /** 1 on the first attempt, 2 on the first retry, and so on. */
  readonly attempt: number;
  /** The position of the item in a foreach step; `undefined` elsewhere. */
  readonly index: number | undefined;
  /**
   * Aborted when the run is cancelled or the attempt times out. Long steps should pass it
   * on (to fetch, streams, `spawn`) or check it: a main-thread step cannot be stopped from
   * outside.
   */
  readonly signal: AbortSignal;
  /**
   * The stores of the process running the step (on a queue worker, the worker's). Not
   * available to `thread: "worker"` steps, which cannot share connections.
   */
  readonly platform: StepPlatform;
  /** Records a metric on the step's tracking run. */
  logMetric(key: string, value: number, step?: number): void;
  /** Records a line in the step's log (`plinth pipeline logs`, and its tracking run). */
  log(message: string): void;
  /** A fresh empty directory for this attempt, removed after the run; for file outputs. */
  scratchDir(name: string): Promise<string>;
}
