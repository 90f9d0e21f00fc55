import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { invalidArgument, PlinthError } from "../../core/errors.ts";
import { sha256OfStream } from "../../core/hash.ts";
import { type ReadDatasetOptions, readDataset } from "../../training/dataset/read-dataset.ts";
import { sliceDataset } from "../../training/dataset/slice-dataset.ts";
import type { TrainingDataset } from "../../training/dataset/training-dataset.ts";
import { type GbdtParams, resolveGbdtParams } from "../../training/gbdt/gbdt-params.ts";
import { type LinearParams, resolveLinearParams } from "../../training/linear/linear-params.ts";
import { type TrainerChoice, trainAndLog } from "../../training/train-and-log.ts";
import { type Command, type OptionValues, withPlatform } from "../command.ts";
import { emit } from "../output.ts";
import { createProgressBar } from "../progress-bar.ts";
import { renderTable } from "../table.ts";
import { readFeatureServiceDataset } from "./train-from-features.ts";

type Algorithm = NonNullable<TrainerChoice["algorithm"]>;
const ALGORITHMS: readonly Algorithm[] = ["gbdt", "linear"];

interface ParamFlag {
  readonly param: keyof GbdtParams | keyof LinearParams;
  readonly type: "int" | "float" | "string";
}

/** Flags both trainers take. */
const COMMON_FLAGS: Record<string, ParamFlag> = {
  objective: { param: "objective", type: "string" },
  "num-class": { param: "numClass", type: "int" },
};

/** Flags that set a linear-model parameter. */
const LINEAR_FLAGS: Record<string, ParamFlag> = {
  alpha: { param: "alpha", type: "float" },
  "l1-ratio": { param: "l1Ratio", type: "float" },
  tolerance: { param: "tolerance", type: "float" },
  "max-iterations": { param: "maxIterations", type: "int" },
};

/** Flags that set a GBDT parameter, and the parameter each sets. */
const GBDT_FLAGS: Record<string, ParamFlag> = {
  rounds: { param: "numRounds", type: "int" },
  "learning-rate": { param: "learningRate", type: "float" },
  "grow-policy": { param: "growPolicy", type: "string" },
  "max-depth": { param: "maxDepth", type: "int" },
  "num-leaves": { param: "numLeaves", type: "int" },
  "max-bin": { param: "maxBin", type: "int" },
  "early-stopping": { param: "earlyStoppingRounds", type: "int" },
  "eval-metric": { param: "evalMetric", type: "string" },
  subsample: { param: "subsample", type: "float" },
  colsample: { param: "colsample", type: "float" },
  seed: { param: "seed", type: "int" },
  threads: { param: "numThreads", type: "int" },
};

export const trainCommand: Command = {
  summary:
    "Train a gradient-boosted tree or linear model from a CSV, Parquet or Arrow file and log it to a tracking run",
  usage: `plinth train (--data FILE | --service NAME --entities FILE [--module features.ts]
              [--timestamp-column COLUMN]) --label COLUMN [--algorithm gbdt|linear] [--categorical C1,C2]
             [--weight COLUMN] [--group COLUMN] [--validation FILE | --valid-fraction F]
             [--config params.json] [--experiment NAME] [--run-name NAME] [--json]
  gbdt (default):
             [--objective binary|multiclass|regression|regression_l1|huber|poisson|lambdarank]
             [--num-class K] [--rounds N] [--learning-rate F] [--max-depth N] [--num-leaves N]
             [--max-bin N] [--early-stopping N] [--eval-metric NAME] [--subsample F]
             [--colsample F] [--seed N] [--threads N]
  linear:    [--objective binary|multiclass|regression] [--num-class K] [--alpha F]
             [--l1-ratio F] [--tolerance F] [--max-iterations N]

--data reads a CSV, Parquet or Arrow table. --service builds the training set from a feature
service instead: for each row of the entity file (its join keys, timestamp column, default
event_timestamp, and the label), the service's features as of that time (point in time, as
\`plinth features\` retrieves them offline); the model's inputs are the service's features and
the run records the training set's lineage hash. The features module is --module, else
PLINTH_FEATURES / featuresModule, else ./features.ts.

Without --validation, the last --valid-fraction of the rows (default 0.2, kept in file order
so time-ordered data does not leak) is held out for validation metrics (and, for GBDT,
per-round metrics and early stopping). Flags override values from --config (a JSON object
of the algorithm's parameters). Linear models minimise mean loss + alpha·(l1-ratio·|β|₁ +
(1 − l1-ratio)/2·|β|²) on standardised features, missing values imputed with the training
mean; they take numeric columns only (no --categorical).`,
  options: {
    data: { type: "string" },
    service: { type: "string" },
    entities: { type: "string" },
    module: { type: "string" },
    "timestamp-column": { type: "string" },
    label: { type: "string" },
    categorical: { type: "string" },
    weight: { type: "string" },
    group: { type: "string" },
    validation: { type: "string" },
    "valid-fraction": { type: "string" },
    config: { type: "string" },
    experiment: { type: "string" },
    "run-name": { type: "string" },
    algorithm: { type: "string" },
    ...Object.fromEntries(
      [...Object.keys(COMMON_FLAGS), ...Object.keys(GBDT_FLAGS), ...Object.keys(LINEAR_FLAGS)].map(
        (flag) => [flag, { type: "string" as const }],
      ),
    ),
  },

  async run({ positionals, values, io }) {
    if (positionals.length > 0)
      throw invalidArgument("train", `unexpected argument '${positionals[0]}'`);
    const label = requiredString(values, "label");
    const algorithm = algorithmOf(values);
    const params = await resolveParams(values, algorithm);
    // Refuse a bad parameter before reading a large file.
    const trainer: TrainerChoice =
      algorithm === "linear"
        ? { algorithm, params: params as LinearParams }
        : { algorithm, params: params as GbdtParams };
    if (trainer.algorithm === "linear") resolveLinearParams(trainer.params);
    else resolveGbdtParams(trainer.params);
    const readOptions = {
      label,
      ...(typeof values.categorical === "string"
        ? { categorical: values.categorical.split(",").filter((c) => c !== "") }
        : {}),
      ...(typeof values.weight === "string" ? { weight: values.weight } : {}),
      ...(typeof values.group === "string" ? { group: values.group } : {}),
    };
    const { dataset: all, datasetHash } =
      typeof values.service === "string"
        ? await readFeatureServiceDataset(values, readOptions)
        : await readFileDataset(requiredString(values, "data"), readOptions);
    const { train, validation } =
      typeof values.validation === "string"
        ? {
            train: all,
            validation: await readDataset(values.validation, { ...readOptions, reference: all }),
          }
        : holdOut(all, fraction(values["valid-fraction"]));
    const rounds = trainer.algorithm === "linear" ? 1 : (trainer.params.numRounds ?? 100);
    const bar = createProgressBar({
      label: "training",
      total: rounds,
      enabled: !io.json,
    });
    return withPlatform(values, async (platform) => {
      const result = await trainAndLog(platform, {
        ...trainer,
        train,
        ...(validation === undefined ? {} : { validation }),
        experiment: typeof values.experiment === "string" ? values.experiment : "Default",
        ...(typeof values["run-name"] === "string" ? { runName: values["run-name"] } : {}),
        datasetHash,
        onIteration(info) {
          const status = Object.entries(info.metrics)
            .map(([k, v]) => `valid ${k} ${v.toFixed(5)}`)
            .join(" ");
          bar.update(info.iteration, status);
        },
      });
      bar.finish();
      emit(io, result, () =>
        [
          `Trained run ${result.runId} (${train.numRows} training rows, ${validation?.numRows ?? 0} validation rows)`,
          `Model package: ${result.artifactUri}`,
          renderTable(
            ["METRIC", "VALUE"],
            Object.entries(result.metrics).map(([k, v]) => [k, String(Number(v.toPrecision(6)))]),
          ),
        ].join("\n"),
      );
      return 0;
    });
  },
};

function algorithmOf(values: OptionValues): Algorithm {
  const raw = values.algorithm ?? "gbdt";
  const algorithm = ALGORITHMS.find((a) => a === raw);
  if (algorithm === undefined) {
    throw invalidArgument(
      "algorithm",
      `expected one of ${ALGORITHMS.join(", ")}, got '${String(raw)}'`,
    );
  }
  return algorithm;
}

async function resolveParams(
  values: OptionValues,
  algorithm: Algorithm,
): Promise<Record<string, unknown>> {
  let params: Record<string, unknown> = {};
  if (typeof values.config === "string") {
    const text = await readFile(values.config, "utf8").catch((cause: unknown) => {
      throw new PlinthError("INVALID_ARGUMENT", `Cannot read --config file '${values.config}'`, {
        field: "config",
        cause,
      });
    });
    try {
      params = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw invalidArgument("config", `'${values.config}' is not valid JSON`);
    }
    if (params === null || typeof params !== "object" || Array.isArray(params)) {
      throw invalidArgument("config", `must hold a JSON object of ${algorithm} parameters`);
    }
  }
  const own = algorithm === "linear" ? LINEAR_FLAGS : GBDT_FLAGS;
  const other = algorithm === "linear" ? GBDT_FLAGS : LINEAR_FLAGS;
  for (const flag of Object.keys(other)) {
    if (typeof values[flag] === "string") {
      throw invalidArgument(flag, `--${flag} does not apply to --algorithm ${algorithm}`);
    }
  }
  for (const [flag, spec] of Object.entries({ ...COMMON_FLAGS, ...own })) {
    const raw = values[flag];
    if (typeof raw !== "string") continue;
    if (spec.type === "string") {
      params[spec.param] = raw;
      continue;
    }
    const number = Number(raw);
    if (
      raw.trim() === "" ||
      !Number.isFinite(number) ||
      (spec.type === "int" && !Number.isInteger(number))
    ) {
      throw invalidArgument(
        flag,
        `expected ${spec.type === "int" ? "an integer" : "a number"}, got '${raw}'`,
      );
    }
    params[spec.param] = number;
  }
  return params;
}

async function readFileDataset(
  path: string,
  readOptions: ReadDatasetOptions,
): Promise<{ dataset: TrainingDataset; datasetHash: string }> {
  const dataset = await readDataset(path, readOptions);
  return { dataset, datasetHash: await sha256OfStream(createReadStream(path)) };
}

function requiredString(values: OptionValues, flag: string): string {
  const value = values[flag];
  if (typeof value !== "string" || value === "")
    throw invalidArgument(flag, `--${flag} is required`);
  return value;
}

function fraction(raw: string | boolean | undefined): number {
  if (raw === undefined) return 0.2;
  const value = Number(raw);
  if (typeof raw !== "string" || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw invalidArgument("valid-fraction", `expected a number in [0, 1), got '${String(raw)}'`);
  }
  return value;
}

/** The last `share` of rows as validation, cut at a query-group boundary when there are groups. */
function holdOut(
  all: TrainingDataset,
  share: number,
): { train: TrainingDataset; validation?: TrainingDataset } {
  if (share === 0) return { train: all };
  let cut = Math.floor(all.numRows * (1 - share));
  const group = all.group;
  if (group !== undefined)
    while (cut < all.numRows && cut > 0 && group[cut] === group[cut - 1]) cut++;
  if (cut <= 0 || cut >= all.numRows) {
    throw invalidArgument(
      "valid-fraction",
      `leaves no rows on one side of the split (${all.numRows} rows)`,
    );
  }
  return { train: sliceDataset(all, 0, cut), validation: sliceDataset(all, cut, all.numRows) };
}
