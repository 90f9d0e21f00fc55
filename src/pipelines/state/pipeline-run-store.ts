import type { ParamValues } from "../definition/param-spec.ts";
import type {
  PipelineDag,
  PipelineRunRecord,
  PipelineRunStatus,
  StepRunRecord,
} from "./pipeline-run-types.ts";

/** The fields of a step row a change may set. */
export type StepRunChanges = Partial<Omit<StepRunRecord, "runId" | "step">>;

/**
 * Where pipeline run state lives: the run, and per step its status, attempts, cache key
 * and output hashes. Every change is written as it happens, so a killed process leaves
 * the finished steps on record for `resume`.
 */
export interface PipelineRunStore {
  /** Records a new run and a `pending` row for each of `steps`, in one transaction. */
  createRun(input: {
    runId: string;
    pipelineName: string;
    params: ParamValues;
    dag: PipelineDag;
    steps: readonly string[];
    resumedFrom: string | null;
    trackingRunId: string | null;
  }): Promise<void>;
  /** Changes one step's row. */
  updateStep(runId: string, step: string, changes: StepRunChanges): Promise<void>;
  /** Sets the run's final status, end time and error. */
  finishRun(runId: string, status: PipelineRunStatus, error: string | null): Promise<void>;
  /**
   * A run with its steps (in the order they were created).
   *
   * @throws PlinthError `PIPELINES_RUN_NOT_FOUND` when no run has this id.
   */
  getRun(runId: string): Promise<PipelineRunRecord & { steps: StepRunRecord[] }>;
  /** Runs, newest first, optionally of one pipeline only. */
  listRuns(query?: { pipelineName?: string; limit?: number }): Promise<PipelineRunRecord[]>;
  /** The newest step row that ran (not reused) successfully with this cache key. */
  findSucceeded(cacheKey: string): Promise<StepRunRecord | undefined>;
}
