import type { PipelineRunStatus, StepRunStatus } from "../state/pipeline-run-types.ts";

/** What `runPipeline` reports as it goes, for progress displays and logs. */
export type PipelineEvent =
  | { type: "run-started"; runId: string; pipeline: string; steps: readonly string[] }
  | { type: "step-started"; step: string; attempt: number; index: number | undefined }
  | {
      type: "step-retrying";
      step: string;
      attempt: number;
      index: number | undefined;
      error: string;
      delayMs: number;
    }
  | {
      type: "step-finished";
      step: string;
      status: StepRunStatus;
      durationMs: number;
      cachedFrom: string | null;
      error: string | null;
    }
  | { type: "run-finished"; runId: string; status: PipelineRunStatus };
