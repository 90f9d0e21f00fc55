export { BUILTIN_PIPELINES } from "./builtin/builtin-pipelines.ts";
export type { GateReport } from "./builtin/training/evaluate-candidate.ts";
export { TRAINING_TAGS } from "./builtin/training/register-candidate.ts";
export type { GatesConfig } from "./builtin/training/training-config.ts";
export { trainingPipeline } from "./builtin/training/training-pipeline.ts";
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
export { loadPipelineModule } from "./definition/load-pipeline-module.ts";
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
export type { StepPlatform } from "./definition/step-platform.ts";
export { createStepExecutor } from "./executors/create-step-executor.ts";
export type { ExecutorConfig } from "./executors/executor-config.ts";
export { createQueueExecutor } from "./executors/queue/create-queue-executor.ts";
export {
  createQueueWorker,
  type QueueWorker,
  type QueueWorkerEvent,
  type QueueWorkerOptions,
} from "./executors/queue/create-queue-worker.ts";
export type { StepExecutor } from "./executors/step-executor.ts";
export type { LoggedMetric, StepTask, StepTaskResult } from "./executors/step-task.ts";
export { pipelineLineageTags } from "./lineage/pipeline-lineage-tags.ts";
export { type ModelVersionLineage, traceModelVersion } from "./lineage/trace-model-version.ts";
export { createMetadataRegisteredPipelineStore } from "./registered/metadata/create-metadata-registered-pipeline-store.ts";
export type {
  RegisteredPipeline,
  RegisteredPipelineStore,
} from "./registered/registered-pipeline-store.ts";
export { resolvePipeline } from "./registered/resolve-pipeline.ts";
export { createOutputStore, type OutputStore, type StoredOutput } from "./run/output-store.ts";
export type { PipelineEvent } from "./run/pipeline-event.ts";
export {
  type PipelineRunResult,
  type RunPipelineOptions,
  runPipeline,
  STALE_RUN_MS,
} from "./run/run-pipeline.ts";
export { stepCacheKey, stepCodeVersion } from "./run/step-cache-key.ts";
export { PIPELINE_TAGS } from "./run/step-tracking.ts";
export {
  createPipelineScheduler,
  type PipelineScheduler,
} from "./schedules/create-pipeline-scheduler.ts";
export { createMetadataScheduleStore } from "./schedules/metadata/create-metadata-schedule-store.ts";
export type { PipelineSchedule, ScheduleFire, ScheduleStore } from "./schedules/schedule-store.ts";
export {
  createPipelineService,
  type PipelineService,
} from "./service/create-pipeline-service.ts";
export { createMetadataPipelineRunStore } from "./state/metadata/create-metadata-pipeline-run-store.ts";
export type { CancelOutcome, PipelineRunStore } from "./state/pipeline-run-store.ts";
export type {
  PipelineDag,
  PipelineRunRecord,
  PipelineRunStatus,
  StepRunRecord,
  StepRunStatus,
} from "./state/pipeline-run-types.ts";
