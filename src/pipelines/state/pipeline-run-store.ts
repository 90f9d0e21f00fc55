import type { ParamValues } from "../definition/param-spec.ts";
import type {
  PipelineDag,
  PipelineRunRecord,
  PipelineRunStatus,
  StepRunRecord,
} from "./pipeline-run-types.ts";

/** The fields of a step row a change may set, and its log. */
export type StepRunChanges = Partial<Omit<StepRunRecord, "runId" | "step">> & { logs?: string };

/** What {@link PipelineRunStore.requestCancel} did. */
export type CancelOutcome =
  /** The driving process will see the request within a heartbeat and stop the run. */
  | "requested"
  /** No live process drives the run (it was killed), so it was marked cancelled here. */
  | "cancelled"
  /** The run had already finished; nothing changed. */
  | "finished";

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
    triggeredBy?: string | null;
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
  /**
   * Asks for a run to stop. A run whose heartbeat is older than `staleAfterMs` has no live
   * driver, so it and its unfinished steps are marked cancelled at once.
   *
   * @throws PlinthError `PIPELINES_RUN_NOT_FOUND` when no run has this id.
   */
  requestCancel(runId: string, staleAfterMs: number): Promise<CancelOutcome>;
  /** Marks runs as alive now, and returns those of them with a cancel request. */
  heartbeat(runIds: readonly string[]): Promise<string[]>;
  /**
   * Each step's log lines, in step order (one step's with `step`).
   *
   * @throws PlinthError `PIPELINES_RUN_NOT_FOUND` for an unknown run or step.
   */
  logs(runId: string, step?: string): Promise<Array<{ step: string; logs: string }>>;
}
