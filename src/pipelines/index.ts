export { definePipeline, isPipeline, type Pipeline } from "./definition/define-pipeline.ts";
export {
  type InputRef,
  type OutputRef,
  type ParamRef,
  param,
  type ResolvedInputs,
  ref,
} from "./definition/input-ref.ts";
export { loadPipelineFile } from "./definition/load-pipeline-file.ts";
export { type ParamSpec, type ParamValues, resolveParams } from "./definition/param-spec.ts";
export { isPathValue, type PathValue, pathOutput } from "./definition/path-value.ts";
export {
  type RetryPolicy,
  type Step,
  type StepDefinition,
  type StepOptions,
  step,
} from "./definition/step.ts";
export type { StepContext } from "./definition/step-context.ts";
export { createStepExecutor } from "./executors/create-step-executor.ts";
export type { ExecutorConfig } from "./executors/executor-config.ts";
export type { StepExecutor } from "./executors/step-executor.ts";
export type { LoggedMetric, StepTask, StepTaskResult } from "./executors/step-task.ts";
export { createOutputStore, type OutputStore, type StoredOutput } from "./run/output-store.ts";
export type { PipelineEvent } from "./run/pipeline-event.ts";
export {
  type PipelineRunResult,
  type RunPipelineOptions,
  runPipeline,
} from "./run/run-pipeline.ts";
export { stepCacheKey, stepCodeVersion } from "./run/step-cache-key.ts";
export { PIPELINE_TAGS } from "./run/step-tracking.ts";
export { createMetadataPipelineRunStore } from "./state/metadata/create-metadata-pipeline-run-store.ts";
export type { PipelineRunStore } from "./state/pipeline-run-store.ts";
export type {
  PipelineDag,
  PipelineRunRecord,
  PipelineRunStatus,
  StepRunRecord,
  StepRunStatus,
} from "./state/pipeline-run-types.ts";
