import type { Pipeline } from "../definition/define-pipeline.ts";
import { trainingPipeline } from "./training/training-pipeline.ts";

/** plinth's own pipelines by name, run as `builtin:<name>`. */
export const BUILTIN_PIPELINES: Readonly<Record<string, Pipeline>> = Object.freeze({
  training: trainingPipeline,
});
