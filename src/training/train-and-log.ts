import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMlflowArtifactKey } from "../artifacts/mlflow-artifact-key.ts";
import { PlinthError } from "../core/errors.ts";
import { predictLinear } from "../models/linear-predictor.ts";
import type { ModelManifest, ModelTask } from "../models/package/model-manifest.ts";
import { type PackagedModel, writeModelPackage } from "../models/package/model-package.ts";
import { predict } from "../models/tree-predictor.ts";
import type { Platform } from "../platform.ts";
import { createEmbeddedTransport } from "../tracking/client/embedded-transport.ts";
import { createTrackingClient } from "../tracking/client/tracking-client.ts";
import { toRowMajor } from "./dataset/to-row-major.ts";
import type { TrainingDataset } from "./dataset/training-dataset.ts";
import type { GbdtObjectiveName, GbdtParams } from "./gbdt/gbdt-params.ts";
import { type GbdtIteration, trainGbdt } from "./gbdt/train-gbdt.ts";
import type { LinearParams } from "./linear/linear-params.ts";
import { type LinearIteration, trainLinear } from "./linear/train-linear.ts";
import { resolveMetric } from "./metrics/metric-registry.ts";

/** The trainers `trainAndLog` can run, each with its own parameters. */
export type TrainerChoice =
  | { readonly algorithm?: "gbdt"; readonly params: GbdtParams }
  | { readonly algorithm: "linear"; readonly params: LinearParams };

/** What `trainAndLog` records and where. */
export type TrainAndLogInput = TrainerChoice & {
  readonly train: TrainingDataset;
  readonly validation?: TrainingDataset;
  readonly experiment: string;
  readonly runName?: string;
  /** Content hash of the training data (lineage). */
  readonly datasetHash: string | null;
  readonly featureService?: string | null;
  /** Extra tags for the run, e.g. `mlflow.parentRunId` to nest it under a pipeline step's run. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Per boosting round (GBDT only; a linear fit logs `train_objective` per solver pass instead). */
  readonly onIteration?: (info: GbdtIteration) => void;
};

export interface TrainAndLogResult {
  readonly runId: string;
  readonly artifactUri: string;
  readonly manifest: ModelManifest;
  readonly metrics: Readonly<Record<string, number>>;
}

/** The validation metrics reported at the end of training, per task. */
const FINAL_METRICS: Record<ModelTask, readonly string[]> = {
  binary: ["auc", "average_precision", "logloss", "brier", "ece", "f1"],
  multiclass: ["mlogloss", "merror"],
  regression: ["rmse", "mae", "r2"],
  ranking: ["ndcg@10", "map@10"],
};

/** What every trainer hands back to the one logging path. */
interface FittedModel {
  readonly packaged: PackagedModel;
  readonly task: ModelTask;
  readonly numOutputs: number;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  /** Trainer-specific metrics about the fit itself (rounds kept, solver passes). */
  readonly fitMetrics: Readonly<Record<string, number>>;
  predict(rows: Float64Array, numRows: number): Float64Array;
}

/**
 * Trains a model (GBDT by default, or `algorithm: "linear"`) inside a tracking run: the
 * resolved params, for GBDT the validation metric at every round (step = round), for a
 * linear model the training objective at every solver pass, the final
 * metrics, and the model package as the run's `model/` artifacts. A failure marks the run
 * FAILED and leaves no package behind.
 *
 * @example
 * await trainAndLog(platform, { algorithm: "linear", params: { objective: "binary", alpha: 0.01 }, train, validation, experiment: "fraud", datasetHash: null });
 */
export async function trainAndLog(
  platform: Pick<Platform, "tracking" | "artifacts">,
  input: TrainAndLogInput,
): Promise<TrainAndLogResult> {
  const client = createTrackingClient({ transport: createEmbeddedTransport(platform.tracking) });
  const run = await client.startRun({
    experiment: input.experiment,
    ...(input.runName === undefined ? {} : { runName: input.runName }),
    tags: {
      ...input.tags,
      "plinth.flavour": input.algorithm === "linear" ? "plinth-linear" : "plinth-gbdt",
      ...(input.datasetHash === null ? {} : { "plinth.dataset_hash": input.datasetHash }),
    },
  });
  const stage = await mkdtemp(join(tmpdir(), "plinth-model-"));
  try {
    const model =
      input.algorithm === "linear"
        ? fitLinear(input.train, input.params, input.validation, (info) => {
            run.logMetric("train_objective", info.objective, { step: info.iteration });
          })
        : await fitGbdt(input, (info) => {
            for (const [key, value] of Object.entries(info.metrics)) {
              run.logMetric(`valid_${key}`, value, { step: info.iteration });
            }
            input.onIteration?.(info);
          });
    run.logParams({
      ...model.params,
      algorithm: input.algorithm ?? "gbdt",
      numFeatures: input.train.features.length,
      numRows: input.train.numRows,
    });
    const task = model.task;
    const metrics: Record<string, number> = { ...model.fitMetrics };
    if (input.validation !== undefined) {
      const prediction = model.predict(toRowMajor(input.validation), input.validation.numRows);
      for (const name of FINAL_METRICS[task]) {
        metrics[name] = resolveMetric(name).compute({
          label: input.validation.label,
          prediction,
          ...(input.validation.group === undefined ? {} : { group: input.validation.group }),
        });
      }
    }
    run.logMetrics(metrics);
    const numOutputs = model.numOutputs;
    const manifest = await writeModelPackage(join(stage, "model"), model.packaged, {
      task,
      inputs: input.train.features.map((c) =>
        c.kind === "numeric"
          ? { name: c.name, type: "float64" as const }
          : { name: c.name, type: "category" as const, categories: [...c.dictionary] },
      ),
      outputs:
        task === "multiclass"
          ? Array.from({ length: numOutputs }, (_, k) => `probability_${k}`)
          : [task === "binary" ? "probability" : "score"],
      featureService: input.featureService ?? null,
      trainingDatasetHash: input.datasetHash,
      metrics,
      params: { ...model.params },
    });
    const info = await platform.tracking.runs.get(run.runId);
    const artifactUri = `${info.info.artifactUri}/model`;
    for (const file of await readdir(join(stage, "model"))) {
      await platform.artifacts.put(
        createMlflowArtifactKey(`${artifactUri}/${file}`),
        await readFile(join(stage, "model", file)),
      );
    }
    run.setTag("plinth.model_sha256", manifest.modelSha256);
    await run.end("FINISHED");
    return { runId: run.runId, artifactUri, manifest, metrics };
  } catch (error) {
    await run.end("FAILED").catch(() => {});
    throw error;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

async function fitGbdt(
  input: TrainAndLogInput & { readonly params: GbdtParams },
  onIteration: (info: GbdtIteration) => void,
): Promise<FittedModel> {
  const model = await trainGbdt(input.train, input.params, {
    ...(input.validation === undefined ? {} : { validation: input.validation }),
    onIteration,
  });
  return {
    packaged: { kind: "tree-ensemble", ensemble: model.ensemble },
    task: taskOf(model.params.objective),
    numOutputs: model.ensemble.numOutputs,
    params: model.params,
    fitMetrics: { best_iteration: model.bestIteration },
    predict: (rows, numRows) => predict(model.ensemble, rows, numRows),
  };
}

function fitLinear(
  train: TrainingDataset,
  params: LinearParams,
  validation: TrainingDataset | undefined,
  onIteration: (info: LinearIteration) => void,
): FittedModel {
  const result = trainLinear(train, params, { onIteration });
  const names = train.features.map((c) => c.name);
  // The linear trainer never sees the validation set, so check here that it scores alike.
  validation?.features.forEach((c, j) => {
    if (c.kind !== "numeric" || c.name !== names[j]) {
      throw new PlinthError(
        "TRAINING_INVALID_DATA",
        `validation feature ${j} is '${c.name}' (${c.kind}) but training has numeric '${names[j]}'`,
        { field: c.name },
      );
    }
  });
  if (validation !== undefined && validation.features.length !== names.length) {
    throw new PlinthError(
      "TRAINING_INVALID_DATA",
      `validation data has ${validation.features.length} features; training has ${names.length}`,
      { field: "validation" },
    );
  }
  return {
    packaged: { kind: "linear", model: result.model },
    task: result.params.objective,
    numOutputs: result.model.numOutputs,
    params: result.params,
    fitMetrics: {
      iterations: result.iterations,
      converged: result.converged ? 1 : 0,
      objective: result.objective,
    },
    predict: (rows, numRows) => predictLinear(result.model, rows, numRows),
  };
}

function taskOf(objective: GbdtObjectiveName): ModelTask {
  if (objective === "binary") return "binary";
  if (objective === "multiclass") return "multiclass";
  if (objective === "lambdarank") return "ranking";
  return "regression";
}
