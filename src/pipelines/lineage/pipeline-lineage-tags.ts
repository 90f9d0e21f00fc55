import type { StepContext } from "../definition/step-context.ts";
import { PIPELINE_TAGS } from "../run/step-tracking.ts";

/**
 * Tags for a model version a step registers, naming the pipeline run and step, so
 * `traceModelVersion` finds them even when the version's run is not the step's own.
 *
 * @example
 * await ctx.platform.registry.versions.create({
 *   name: "fraud", source, runId: ctx.trackingRunId, tags: pipelineLineageTags(ctx),
 * });
 */
export function pipelineLineageTags(ctx: Pick<StepContext, "runId" | "step">) {
  return [
    { key: PIPELINE_TAGS.pipelineRunId, value: ctx.runId },
    { key: PIPELINE_TAGS.step, value: ctx.step },
  ];
}
