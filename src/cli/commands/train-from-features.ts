import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../../core/config.ts";
import { invalidArgument } from "../../core/errors.ts";
import { loadFeatureDefinitions } from "../../features/definitions/load-feature-definitions.ts";
import { createDuckDbOfflineStore } from "../../features/offline/duckdb/create-duckdb-offline-store.ts";
import { entityInputFromPath } from "../../features/offline/entity-input.ts";
import { type ReadDatasetOptions, readDataset } from "../../training/dataset/read-dataset.ts";
import type { TrainingDataset } from "../../training/dataset/training-dataset.ts";
import type { OptionValues } from "../command.ts";

/**
 * The training set of `plinth train --service S --entities FILE`: the feature service's
 * features as of each entity row's timestamp (the offline store's point-in-time join), with
 * the entity file's label, weight and group columns. The features are the service's, in its
 * order; the entity file's other columns (keys, timestamp) are not features. The dataset
 * hash is the training set's lineage hash (entity input, definitions and source files).
 */
export async function readFeatureServiceDataset(
  values: OptionValues,
  readOptions: ReadDatasetOptions,
): Promise<{ dataset: TrainingDataset; datasetHash: string }> {
  const service = values.service as string;
  const entities = values.entities;
  if (typeof entities !== "string" || entities === "") {
    throw invalidArgument(
      "entities",
      "--service needs --entities FILE (.csv or .parquet entity rows with the label)",
    );
  }
  if (values.validation !== undefined) {
    throw invalidArgument(
      "validation",
      "--service holds out the last rows of the entity file (--valid-fraction); --validation takes a --data file",
    );
  }
  if (values.data !== undefined) {
    throw invalidArgument(
      "data",
      "give either --data FILE or --service NAME with --entities FILE, not both",
    );
  }
  const module =
    typeof values.module === "string"
      ? values.module
      : (resolveConfig({ overrides: typeof values.home === "string" ? { home: values.home } : {} })
          .featuresModule ?? "features.ts");
  const timestampColumn =
    typeof values["timestamp-column"] === "string" ? values["timestamp-column"] : "event_timestamp";
  const offline = createDuckDbOfflineStore(await loadFeatureDefinitions(module));
  const job = offline.getHistoricalFeatures(entityInputFromPath(entities, "entities"), service, {
    timestampColumn,
  });
  const dir = await mkdtemp(join(tmpdir(), "plinth-train-set-"));
  try {
    const manifest = await job.toParquet(join(dir, "training-set.parquet"));
    const features = (await job.statistics()).features.map((f) => f.name);
    const dataset = await readDataset(manifest.path, { ...readOptions, features });
    return { dataset, datasetHash: manifest.lineage.hash };
  } finally {
    await job.close();
    await rm(dir, { recursive: true, force: true });
  }
}
