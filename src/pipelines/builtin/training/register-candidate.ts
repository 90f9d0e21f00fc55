import { isPlinthError } from "../../../core/errors.ts";
import { hashJson } from "../../../core/hash.ts";
import type { TrainingSetLineage } from "../../../features/offline/training-set-lineage.ts";
import { readModelPackage } from "../../../models/package/model-package.ts";
import { profileColumns } from "../../../monitoring/profile/profile-columns.ts";
import {
  REFERENCE_PROFILE_TAG,
  storeReferenceProfile,
} from "../../../monitoring/reference/reference-profile.ts";
import { readParquetDataset } from "../../../training/dataset/read-parquet-dataset.ts";
import type { FeatureColumn } from "../../../training/dataset/training-dataset.ts";
import type { PathValue } from "../../definition/path-value.ts";
import type { StepContext } from "../../definition/step-context.ts";
import { pipelineLineageTags } from "../../lineage/pipeline-lineage-tags.ts";
import { type GateReport, reportTag } from "./evaluate-candidate.ts";
import { predictHoldout } from "./model-scoring.ts";

/** Tags the training pipeline puts on the versions it registers. */
export const TRAINING_TAGS = Object.freeze({
  trainingSetSha256: "plinth.training_set.sha256",
  lineageHash: "plinth.training_set.lineage_hash",
  entityInputSha256: "plinth.training_set.entity_input_sha256",
  featureService: "plinth.feature_service",
  gatesPassed: "plinth.gates.passed",
  gatesReport: "plinth.gates.report",
  gatesReportSha256: "plinth.gates.report_sha256",
  aliasDecision: "plinth.gates.alias_decision",
});

/**
 * Registers the candidate as a new version whatever the gates said (so a rejected model
 * is on record with its evidence), then moves the alias only if every gate passed and the
 * alias still points where it did when the candidate was judged: a champion that changed
 * meanwhile was not the one compared with.
 */
export async function registerCandidate(
  input: {
    report: GateReport;
    source: string;
    trainRunId: string;
    lineage: TrainingSetLineage;
    datasetSha256: string;
    /** The training set and its feature columns: profiled as the version's monitoring reference. */
    dataset: PathValue;
    features: string[];
    /** The candidate's package: its scores on the training set join the reference profile. */
    model: PathValue;
    label: string;
  },
  ctx: StepContext,
): Promise<{ version: string; aliasMoved: boolean; decision: string }> {
  const { registry } = ctx.platform;
  const { report } = input;
  const name = report.modelName;
  const actor = { actor: `pipeline:${ctx.runId}` };
  // Stored before the version, so the version and its tag pointing at it appear together.
  const training = await readParquetDataset(input.dataset.path, { features: input.features });
  const referenceProfile = await storeReferenceProfile(
    ctx.platform.artifacts,
    profileColumns([...training.features, ...(await scoredOutputs(input, training.numRows))]),
  );
  await registry.models.create({ name }, actor).catch((error: unknown) => {
    if (!isPlinthError(error, "REGISTRY_MODEL_EXISTS")) throw error;
  });
  const version = await registry.versions.create(
    {
      name,
      source: input.source,
      runId: input.trainRunId,
      description: `Trained by pipeline run ${ctx.runId}; gates ${report.passed ? "passed" : "failed"}`,
      tags: [
        ...pipelineLineageTags(ctx),
        { key: TRAINING_TAGS.trainingSetSha256, value: input.datasetSha256 },
        { key: TRAINING_TAGS.lineageHash, value: input.lineage.hash },
        { key: TRAINING_TAGS.entityInputSha256, value: input.lineage.entityInputHash },
        { key: TRAINING_TAGS.featureService, value: input.lineage.featureService },
        { key: TRAINING_TAGS.gatesPassed, value: String(report.passed) },
        { key: TRAINING_TAGS.gatesReport, value: reportTag(report) },
        // The whole report is the evaluate step's output under this content address.
        { key: TRAINING_TAGS.gatesReportSha256, value: hashJson(report) },
        { key: REFERENCE_PROFILE_TAG, value: referenceProfile },
      ],
    },
    actor,
  );

  let decision: string;
  let aliasMoved = false;
  if (!report.passed) {
    const failed = report.decisions.filter((d) => !d.passed).map((d) => d.gate);
    decision = `alias '${report.alias}' not moved: failed ${failed.join("; ")}`;
  } else {
    // Reports recorded before compare_alias existed have no comparedAlias.
    const compared = report.comparedAlias ?? report.alias;
    const now = await registry.aliases.resolve(name, compared).catch(() => undefined);
    const judgedAgainst = report.champion?.version ?? null;
    if ((now?.version ?? null) !== judgedAgainst) {
      decision = `alias '${report.alias}' not moved: '${compared}' points at version ${now?.version ?? "none"} now, but the candidate was judged against ${judgedAgainst ?? "none"}`;
    } else {
      await registry.aliases.set(name, report.alias, version.version, actor);
      aliasMoved = true;
      decision = `alias '${report.alias}' moved to version ${version.version}${judgedAgainst === null ? "" : ` from ${judgedAgainst}`}`;
    }
  }
  await registry.versions.setTag(
    name,
    version.version,
    TRAINING_TAGS.aliasDecision,
    decision,
    actor,
  );
  ctx.log(`registered ${name} version ${version.version}; ${decision}`);
  if (ctx.trackingRunId !== undefined) {
    await ctx.platform.tracking.runs.logBatch(ctx.trackingRunId, {
      tags: [
        { key: "plinth.model.name", value: name },
        { key: "plinth.model.version", value: version.version },
        { key: TRAINING_TAGS.aliasDecision, value: decision },
      ],
    });
  }
  return { version: version.version, aliasMoved, decision };
}

/**
 * The candidate's outputs on every training row, as columns named like the outputs serving
 * logs (`probability`, ...), so monitoring tests the prediction's drift against the reference.
 */
async function scoredOutputs(
  input: { model: PathValue; dataset: PathValue; label: string },
  rows: number,
): Promise<FeatureColumn[]> {
  const model = await readModelPackage(input.model.path);
  const all = Int32Array.from({ length: rows }, (_, i) => i);
  const scored = await predictHoldout(model, input.dataset.path, input.label, all);
  const k = scored.numOutputs;
  return model.manifest.outputs.slice(0, k).map((name, j) => ({
    kind: "numeric" as const,
    name,
    values: Float64Array.from({ length: rows }, (_, i) => scored.prediction[i * k + j] as number),
  }));
}
