import type { ParamValues } from "../definition/param-spec.ts";
import type { StoredOutput } from "../run/output-store.ts";
import type { InputSnapshot } from "../run/step-cache-key.ts";

/** A pipeline run's status; `running` after a kill until it is resumed or marked otherwise. */
export type PipelineRunStatus = "running" | "succeeded" | "failed" | "cancelled";

/** A step's status within one run. `cached` reused an earlier run's outputs. */
export type StepRunStatus =
  | "pending"
  | "running"
  | "succeeded"
  | "cached"
  | "failed"
  | "skipped"
  | "cancelled";

/** The graph a run executed, as recorded with it. */
export interface PipelineDag {
  steps: Array<{ name: string; upstream: string[]; foreach: boolean; cache: boolean }>;
}

/** What a failed step threw. */
export interface StepError {
  code: string | undefined;
  message: string;
  stack: string | undefined;
}

/** One pipeline run as stored. */
export interface PipelineRunRecord {
  runId: string;
  pipelineName: string;
  status: PipelineRunStatus;
  params: ParamValues;
  dag: PipelineDag;
  trackingRunId: string | null;
  resumedFrom: string | null;
  error: string | null;
  startTime: number;
  endTime: number | null;
  /** Who started it: `cli`, `api`, `schedule:<id>`, or null when not recorded. */
  triggeredBy: string | null;
  /** When `plinth pipeline cancel` asked the driving process to stop it. */
  cancelRequestedAt: number | null;
  /** The driving process's last sign of life; a `running` run with an old one was killed. */
  heartbeatAt: number | null;
}

/** One step of a pipeline run as stored. */
export interface StepRunRecord {
  runId: string;
  step: string;
  status: StepRunStatus;
  attempts: number;
  cacheKey: string | null;
  /** The run whose outputs a cached step reused. */
  cachedFrom: string | null;
  inputs: Record<string, InputSnapshot> | null;
  outputs: Record<string, StoredOutput> | null;
  error: StepError | null;
  trackingRunId: string | null;
  startTime: number | null;
  endTime: number | null;
}
