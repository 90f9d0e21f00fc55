import type { StoredOutput } from "../run/output-store.ts";
import type { InputSnapshot } from "../run/step-cache-key.ts";

/**
 * One attempt of one step, or of one item of a fan-out step, described only by names and
 * content addresses: a queue-backed executor can ship it to another machine as JSON, and
 * a worker there loads the pipeline module and the inputs from the artifact store.
 */
export interface StepTask {
  /** The pipeline run's id. */
  readonly runId: string;
  readonly pipelineName: string;
  /** The pipeline module, when the pipeline was loaded from a file (remote workers import it). */
  readonly moduleUrl: string | undefined;
  readonly step: string;
  /**
   * The step's code version where the run was started; a worker whose copy of the module
   * differs refuses the task rather than run other code under this cache key.
   */
  readonly codeVersion: string;
  /** The step's tracking run, for lineage (see `StepContext.trackingRunId`). */
  readonly trackingRunId: string | undefined;
  /** Parameter values and upstream output addresses, by input name. */
  readonly inputs: Readonly<Record<string, InputSnapshot>>;
  /** For a fan-out step: the item's position and its stored value. */
  readonly item: { readonly index: number; readonly value: StoredOutput } | undefined;
  /** 1 on the first attempt. */
  readonly attempt: number;
}

/** A metric a step logged. */
export interface LoggedMetric {
  readonly key: string;
  readonly value: number;
  readonly step: number;
  readonly timestamp: number;
}

/** What a successful attempt produced: stored outputs, and the metrics and log lines it logged. */
export interface StepTaskResult {
  readonly outputs: Readonly<Record<string, StoredOutput>>;
  readonly metrics: readonly LoggedMetric[];
  readonly logs: readonly string[];
}
