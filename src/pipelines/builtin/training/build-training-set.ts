import { createReadStream } from "node:fs";
import { join } from "node:path";
import { PlinthError } from "../../../core/errors.ts";
import { sha256OfStream } from "../../../core/hash.ts";
import { loadFeatureDefinitions } from "../../../features/definitions/load-feature-definitions.ts";
import { createDuckDbOfflineStore } from "../../../features/offline/duckdb/create-duckdb-offline-store.ts";
import { entityInputFromPath } from "../../../features/offline/entity-input.ts";
import type { FeatureStatistics } from "../../../features/offline/feature-statistics.ts";
import type { TrainingSetLineage } from "../../../features/offline/training-set-lineage.ts";
import { type PathValue, pathOutput } from "../../definition/path-value.ts";
import type { StepContext } from "../../definition/step-context.ts";

/** The training-set step's outputs. */
export type TrainingSet = {
  /** The point-in-time training set as Parquet: the entity columns, then the features. */
  readonly dataset: PathValue;
  /** sha256 of the Parquet file: its address in the artifact store. */
  readonly datasetSha256: string;
  readonly lineage: TrainingSetLineage;
  readonly statistics: FeatureStatistics;
  /** The feature columns, in service order: the model's inputs. */
  readonly features: string[];
  /** One byte per row, 1 for the holdout: the latest `holdout_fraction` of rows by time. */
  readonly holdout: Uint8Array;
};

/**
 * Builds the training set from a feature service and an entity file (with its label
 * column) through the offline store, and marks the holdout: the latest rows by the entity
 * timestamp (ties by file order), so the model is judged on the future of what it
 * learned from, as it will be used.
 */
export async function buildTrainingSet(
  input: {
    features: string;
    featureService: string;
    entities: string;
    label: string;
    timestampColumn: string;
    holdoutFraction: number;
  },
  ctx: StepContext,
): Promise<TrainingSet> {
  const definitions = await loadFeatureDefinitions(input.features);
  const job = createDuckDbOfflineStore(definitions).getHistoricalFeatures(
    entityInputFromPath(input.entities, "params.entities"),
    input.featureService,
    { timestampColumn: input.timestampColumn },
  );
  const path = join(await ctx.scratchDir("training-set"), "training-set.parquet");
  let manifest: Awaited<ReturnType<typeof job.toParquet>>;
  let statistics: Awaited<ReturnType<typeof job.statistics>>;
  let times: readonly unknown[];
  let columns: string[];
  try {
    manifest = await job.toParquet(path);
    statistics = await job.statistics();
    const frame = await job.toFrame();
    columns = frame.schema.map((f) => f.name);
    times = frame.columns[input.timestampColumn] as readonly unknown[];
  } finally {
    await job.close();
  }
  const features = statistics.features.map((f) => f.name);
  if (!columns.includes(input.label) || features.includes(input.label)) {
    throw new PlinthError(
      "PIPELINES_INVALID_PARAM",
      `Parameter 'label': the entity file has no column '${input.label}' (its columns: ${columns.filter((c) => !features.includes(c)).join(", ")})`,
      { field: "params.label" },
    );
  }
  const holdout = holdoutMask(times, input.holdoutFraction);
  const held = holdout.reduce((a, b) => a + b, 0);
  ctx.log(
    `training set: ${manifest.numRows} rows, ${features.length} features (${features.join(", ")}); holdout ${held} latest rows`,
  );
  ctx.logMetric("rows", manifest.numRows);
  ctx.logMetric("holdout_rows", held);
  return {
    dataset: pathOutput(path),
    datasetSha256: await sha256OfStream(createReadStream(path)),
    lineage: manifest.lineage,
    statistics,
    features,
    holdout,
  };
}

/**
 * 1 for the latest `fraction` of rows by time (at least one row, and at least one left
 * to train on); rows without a time count as the oldest.
 */
export function holdoutMask(times: readonly unknown[], fraction: number): Uint8Array {
  const n = times.length;
  if (n < 2) {
    throw new PlinthError(
      "TRAINING_INVALID_DATA",
      `The training set has ${n} row(s); a train/holdout split needs at least 2`,
      { field: "entities" },
    );
  }
  const key = (i: number) => {
    const t = times[i];
    return t instanceof Date ? t.getTime() : Number.NEGATIVE_INFINITY;
  };
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => key(a) - key(b) || a - b);
  const count = Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  const mask = new Uint8Array(n);
  for (const i of order.slice(n - count)) mask[i] = 1;
  return mask;
}
