import type { LogBatch } from "../log-batch.ts";
import type { KeyValue, Run, RunInfo, RunStatus } from "../types.ts";

/**
 * What the SDK needs from a tracking server: the same five calls whether tracking is
 * embedded in this process or behind an MLflow-compatible REST endpoint.
 */
export interface TrackingTransport {
  /** The id of the experiment with this name, creating it when missing. */
  ensureExperiment(name: string): Promise<string>;
  /** Starts a run. */
  createRun(input: {
    experimentId: string;
    runName?: string;
    userId?: string;
    tags?: KeyValue[];
  }): Promise<Run>;
  /** Logs one batch within MLflow's limits (1000 metrics, 100 params, 100 tags). */
  logBatch(runId: string, batch: LogBatch): Promise<void>;
  /** Sets the run's status and end time. */
  finishRun(runId: string, status: RunStatus, endTime: number): Promise<RunInfo>;
  /** Reads the run back. */
  getRun(runId: string): Promise<Run>;
}
