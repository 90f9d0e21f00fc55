import { PlinthError } from "../../../core/errors.ts";
import { PLINTH_VERSION } from "../../../version.ts";
import { definePipeline } from "../../definition/define-pipeline.ts";
import { param } from "../../definition/input-ref.ts";
import { NAME_PATTERN, step } from "../../definition/step.ts";
import { buildTrainingSet } from "./build-training-set.ts";
import { evaluateCandidate } from "./evaluate-candidate.ts";
import { registerCandidate } from "./register-candidate.ts";
import { trainCandidate } from "./train-candidate.ts";
import { parseGates, parseTrainer } from "./training-config.ts";

// The step functions call helpers, whose code the cache key cannot see: the plinth
// version stands in for it.
const version = PLINTH_VERSION;

const trainingSet = step("training_set", {
  // The entity file and the sources may change under the same paths: always rebuild (the
  // steps below are cached by the training set's content).
  cache: false,
  version,
  inputs: {
    features: param<string>("features"),
    featureService: param<string>("feature_service"),
    entities: param<string>("entities"),
    label: param<string>("label"),
    timestampColumn: param<string>("timestamp_column"),
    holdoutFraction: param<number>("holdout_fraction"),
  },
  run: (inputs, ctx) => buildTrainingSet(inputs, ctx),
});

const train = step("train", {
  version,
  inputs: {
    dataset: trainingSet.output("dataset"),
    features: trainingSet.output("features"),
    holdout: trainingSet.output("holdout"),
    lineage: trainingSet.output("lineage"),
    label: param<string>("label"),
    algorithm: param<string>("algorithm"),
    trainerParams: param<string>("trainer_params"),
    featureService: param<string>("feature_service"),
    modelName: param<string>("model_name"),
  },
  run: ({ lineage, ...inputs }, ctx) =>
    trainCandidate({ ...inputs, lineageHash: lineage.hash }, ctx),
});

const evaluate = step("evaluate", {
  // Judged against whatever holds the alias now, so never reused.
  cache: false,
  version,
  inputs: {
    model: train.output("model"),
    task: train.output("task"),
    dataset: trainingSet.output("dataset"),
    holdout: trainingSet.output("holdout"),
    label: param<string>("label"),
    modelName: param<string>("model_name"),
    alias: param<string>("alias"),
    compareAlias: param<string>("compare_alias"),
    gates: param<string>("gates"),
  },
  run: async (inputs, ctx) => {
    const report = await evaluateCandidate(inputs, ctx);
    return { report, passed: report.passed };
  },
});

const register = step("register", {
  cache: false,
  version,
  inputs: {
    report: evaluate.output("report"),
    source: train.output("source"),
    trainRunId: train.output("trainRunId"),
    lineage: trainingSet.output("lineage"),
    datasetSha256: trainingSet.output("datasetSha256"),
    dataset: trainingSet.output("dataset"),
    features: trainingSet.output("features"),
    model: train.output("model"),
    label: param<string>("label"),
  },
  run: (inputs, ctx) => registerCandidate(inputs, ctx),
});

/**
 * The built-in training pipeline (`builtin:training`): build a point-in-time training set
 * from a feature service and an entity file with labels → train (GBDT or linear) on all
 * but the latest rows → score the candidate and the current holder of `alias` on those
 * latest rows and apply the gates → register the version with every decision and its
 * evidence → move `alias` only if every gate passed.
 *
 * @example
 * plinth pipeline run builtin:training --param features=features.ts --param feature_service=fraud_v1 \
 *   --param entities=labels.parquet --param label=is_fraud --param model_name=fraud --param alias=challenger
 */
export const trainingPipeline = definePipeline({
  name: "training",
  description:
    "Training set from a feature service -> train -> evaluate against the alias holder -> register -> move the alias if the gates pass",
  params: {
    features: { type: "string", description: "the feature definitions module (features.ts)" },
    feature_service: { type: "string", description: "the feature service to train on" },
    entities: {
      type: "string",
      description: "entity rows with timestamps and the label (.csv or .parquet)",
    },
    label: { type: "string", description: "the label column of the entity file" },
    model_name: { type: "string", description: "the registered model to add a version to" },
    alias: {
      type: "string",
      default: "champion",
      description: "the alias to move when the gates pass",
    },
    algorithm: { type: "string", default: "gbdt", description: "gbdt or linear" },
    trainer_params: { type: "string", default: "{}", description: "JSON trainer parameters" },
    gates: {
      type: "string",
      default: "",
      description: "JSON gates; empty: not worse than the alias holder",
    },
    compare_alias: {
      type: "string",
      default: "",
      description:
        "the alias whose holder the candidate is judged against (empty: `alias`); monitoring's retraining sets alias=challenger, compare_alias=champion",
    },
    holdout_fraction: { type: "number", default: 0.2, description: "the latest rows held out" },
    timestamp_column: {
      type: "string",
      default: "event_timestamp",
      description: "the entity file's time column",
    },
  },
  steps: [trainingSet, train, evaluate, register],
  checkParams(params) {
    const task = parseTrainer(String(params.algorithm), String(params.trainer_params)).task;
    parseGates(String(params.gates), task);
    const fraction = Number(params.holdout_fraction);
    if (!(fraction > 0 && fraction < 1)) {
      throw new PlinthError(
        "PIPELINES_INVALID_PARAM",
        "Parameter 'holdout_fraction' must be between 0 and 1",
        {
          field: "params.holdout_fraction",
        },
      );
    }
    for (const name of ["model_name", "alias"] as const) {
      if (!NAME_PATTERN.test(String(params[name]))) {
        throw new PlinthError(
          "PIPELINES_INVALID_PARAM",
          `Parameter '${name}' must be 1-100 letters, digits, '_', '.' or '-'`,
          { field: `params.${name}` },
        );
      }
    }
    const compare = String(params.compare_alias ?? "");
    if (compare !== "" && !NAME_PATTERN.test(compare)) {
      throw new PlinthError(
        "PIPELINES_INVALID_PARAM",
        "Parameter 'compare_alias' must be empty or 1-100 letters, digits, '_', '.' or '-'",
        { field: "params.compare_alias" },
      );
    }
  },
});
