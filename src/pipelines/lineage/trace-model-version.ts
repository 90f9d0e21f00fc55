import { PlinthError } from "../../core/errors.ts";
import type { ParamValues } from "../definition/param-spec.ts";
import type { StepPlatform } from "../definition/step-platform.ts";
import type { StoredOutput } from "../run/output-store.ts";
import type { InputSnapshot } from "../run/step-cache-key.ts";
import { PIPELINE_TAGS } from "../run/step-tracking.ts";
import { createMetadataPipelineRunStore } from "../state/metadata/create-metadata-pipeline-run-store.ts";
import type { PipelineRunStatus, StepRunStatus } from "../state/pipeline-run-types.ts";

/** A model version's path back to its data: the pipeline run and every step it depends on. */
export interface ModelVersionLineage {
  readonly modelVersion: {
    readonly name: string;
    readonly version: string;
    readonly source: string;
    readonly runId: string;
  };
  readonly pipelineRun: {
    readonly runId: string;
    readonly pipeline: string;
    readonly status: PipelineRunStatus;
    readonly params: ParamValues;
    readonly trackingRunId: string | null;
  };
  /** The step that registered the version. */
  readonly registeredBy: string;
  /**
   * That step and everything upstream of it, sources first: what each read (parameter
   * values, upstream outputs by content hash) and wrote. A cached step names the run whose
   * outputs it reused.
   */
  readonly steps: ReadonlyArray<{
    readonly step: string;
    readonly status: StepRunStatus;
    readonly upstream: readonly string[];
    readonly cachedFrom: string | null;
    readonly inputs: Readonly<Record<string, InputSnapshot>>;
    readonly outputs: Readonly<Record<string, StoredOutput>>;
    readonly trackingRunId: string | null;
  }>;
}

/**
 * Traces a registered model version back through the pipeline run that made it: the
 * version's run is a step's tracking run (register with `runId: ctx.trackingRunId`), whose
 * tags name the pipeline run and step; the run's DAG and step rows give the rest, down to
 * the first step's inputs.
 *
 * @throws PlinthError `PIPELINES_RUN_NOT_FOUND` when the version was not made by a pipeline.
 *
 * @example
 * const lineage = await traceModelVersion(platform, "fraud", "3");
 * lineage.steps[0]; // the training-set step, with its outputs' hashes
 */
export async function traceModelVersion(
  platform: Pick<StepPlatform, "metadata" | "tracking" | "registry">,
  name: string,
  version: string,
): Promise<ModelVersionLineage> {
  const mv = await platform.registry.versions.get(name, version);
  const tag = (key: string) => mv.tags.find((t) => t.key === key)?.value;
  let runId = tag(PIPELINE_TAGS.pipelineRunId);
  let step = tag(PIPELINE_TAGS.step);
  if ((runId === undefined || step === undefined) && mv.runId !== "") {
    const run = await platform.tracking.runs.get(mv.runId).catch(() => undefined);
    const runTag = (key: string) => run?.data.tags.find((t) => t.key === key)?.value;
    runId ??= runTag(PIPELINE_TAGS.pipelineRunId);
    step ??= runTag(PIPELINE_TAGS.step);
  }
  if (runId === undefined || step === undefined) {
    throw new PlinthError(
      "PIPELINES_RUN_NOT_FOUND",
      `Model version ${name}/${version} was not registered by a pipeline step (its run has no ${PIPELINE_TAGS.pipelineRunId} tag)`,
      { field: "version" },
    );
  }
  const run = await createMetadataPipelineRunStore(platform.metadata).getRun(runId);
  const upstreamOf = new Map(run.dag.steps.map((s) => [s.name, s.upstream]));
  const wanted = new Set<string>();
  const visit = (s: string) => {
    if (wanted.has(s)) return;
    wanted.add(s);
    for (const u of upstreamOf.get(s) ?? []) visit(u);
  };
  visit(step);
  return {
    modelVersion: { name: mv.name, version: mv.version, source: mv.source, runId: mv.runId },
    pipelineRun: {
      runId: run.runId,
      pipeline: run.pipelineName,
      status: run.status,
      params: run.params,
      trackingRunId: run.trackingRunId,
    },
    registeredBy: step,
    steps: run.steps
      .filter((s) => wanted.has(s.step))
      .map((s) => ({
        step: s.step,
        status: s.status,
        upstream: upstreamOf.get(s.step) ?? [],
        cachedFrom: s.cachedFrom,
        inputs: s.inputs ?? {},
        outputs: s.outputs ?? {},
        trackingRunId: s.trackingRunId,
      })),
  };
}
