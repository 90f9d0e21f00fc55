import { downloadModelPackage } from "../../../models/package/download-model-package.ts";
import { readParquetDataset } from "../../../training/dataset/read-parquet-dataset.ts";
import { trainAndLog } from "../../../training/train-and-log.ts";
import { type PathValue, pathOutput } from "../../definition/path-value.ts";
import type { StepContext } from "../../definition/step-context.ts";
import { PIPELINE_TAGS } from "../../run/step-tracking.ts";
import { rowsWhere, selectDatasetRows } from "./select-dataset-rows.ts";
import { parseTrainer } from "./training-config.ts";

/**
 * Trains the candidate on the training rows with the trainers' own logging path
 * (`trainAndLog`): a tracking run nested under this step's, holding the params, the
 * metric per round, the holdout metrics and the model package; the package is also this
 * step's output, by content.
 */
export async function trainCandidate(
  input: {
    dataset: PathValue;
    features: readonly string[];
    holdout: Uint8Array;
    label: string;
    algorithm: string;
    trainerParams: string;
    lineageHash: string;
    featureService: string;
    modelName: string;
  },
  ctx: StepContext,
) {
  const trainer = parseTrainer(input.algorithm, input.trainerParams);
  const data = await readParquetDataset(input.dataset.path, {
    label: input.label,
    features: [...input.features],
  });
  const train = selectDatasetRows(data, rowsWhere(input.holdout, 0));
  const holdout = selectDatasetRows(data, rowsWhere(input.holdout, 1));
  const { tracking } = ctx.platform;
  const stepRun =
    ctx.trackingRunId === undefined ? undefined : await tracking.runs.get(ctx.trackingRunId);
  const experiment =
    stepRun === undefined
      ? input.modelName
      : (await tracking.experiments.get(stepRun.info.experimentId)).name;
  const result = await trainAndLog(ctx.platform, {
    ...trainer,
    train,
    validation: holdout,
    experiment,
    runName: `${input.modelName}-candidate`,
    datasetHash: input.lineageHash,
    featureService: input.featureService,
    tags: {
      ...(ctx.trackingRunId === undefined
        ? {}
        : { [PIPELINE_TAGS.parentRunId]: ctx.trackingRunId }),
      [PIPELINE_TAGS.pipelineRunId]: ctx.runId,
      [PIPELINE_TAGS.step]: ctx.step,
    },
  });
  for (const [key, value] of Object.entries(result.metrics)) ctx.logMetric(`holdout_${key}`, value);
  ctx.log(`trained ${trainer.algorithm ?? "gbdt"} on ${train.numRows} rows; run ${result.runId}`);
  const dir = await ctx.scratchDir("model");
  const source = `runs:/${result.runId}/model`;
  await downloadModelPackage(ctx.platform, source, dir);
  return {
    model: pathOutput(dir),
    source,
    trainRunId: result.runId,
    task: trainer.task,
  };
}
