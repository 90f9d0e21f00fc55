import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Selectable } from "kysely";
import type { ArtifactStore } from "../../artifacts/artifact-store.ts";
import { createContentAddressedStore } from "../../artifacts/content-addressed-store.ts";
import { invalidArgument, PlinthError } from "../../core/errors.ts";
import type { MetadataStore } from "../../metadata/metadata-store.ts";
import type { FeatureDatasetsTable } from "../../metadata/schema.ts";
import type { FeatureRegistry } from "../registry/feature-registry.ts";
import type { SavedDataset, SavedDatasetStore } from "./saved-dataset-store.ts";

const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_NAME_LENGTH = 256;

/**
 * Saved datasets over the metadata store (table `feature_datasets`) and the artifact store
 * (bytes under `sha256/…`, deduplicated). The metadata row is written last, so a dataset
 * is listed only once its bytes are stored; a failure in between leaves at most an
 * unreferenced blob, never a record without its bytes.
 *
 * @example
 * const datasets = createSavedDatasetStore({ metadata, artifacts, registry });
 * const saved = await datasets.save(store.getHistoricalFeatures(labels, "fraud_v1"), { name: "fraud-train" });
 * const reference = await datasets.statistics(saved.hash); // monitoring's reference profile
 */
export function createSavedDatasetStore(deps: {
  metadata: MetadataStore;
  artifacts: ArtifactStore;
  registry: FeatureRegistry;
}): SavedDatasetStore {
  const content = createContentAddressedStore(deps.artifacts);
  const { db } = deps.metadata;

  const get = async (hash: string): Promise<SavedDataset> => {
    checkHash(hash);
    const row = await db
      .selectFrom("feature_datasets")
      .selectAll()
      .where("dataset_hash", "=", hash)
      .executeTakeFirst();
    if (row === undefined) {
      throw new PlinthError(
        "FEATURES_DATASET_NOT_FOUND",
        `No saved dataset has hash ${hash}; save one with savedDatasets.save(job)`,
        { field: "hash" },
      );
    }
    return toDataset(row);
  };

  return {
    async save(job, options = {}) {
      const createdBy = text(options.actor ?? "anonymous", "actor");
      const requestedName = options.name === undefined ? undefined : text(options.name, "name");
      const dir = await mkdtemp(join(tmpdir(), "plinth-dataset-"));
      try {
        const file = join(dir, "dataset.parquet");
        const manifest = await job.toParquet(file);
        const statistics = await job.statistics();
        const stored = await content.putContent(createReadStream(file));
        const registryVersions: Record<string, number | null> = {};
        for (const [view, specHash] of Object.entries(manifest.lineage.views)) {
          registryVersions[view] =
            (await deps.registry.findVersion("featureView", view, specHash)) ??
            (await deps.registry.findVersion("onDemandFeatureView", view, specHash)) ??
            null;
        }
        const name =
          requestedName === undefined || requestedName === ""
            ? manifest.lineage.featureService
            : requestedName;
        await db
          .insertInto("feature_datasets")
          .values({
            dataset_hash: stored.sha256,
            name,
            feature_service: manifest.lineage.featureService,
            num_rows: manifest.numRows,
            size_bytes: stored.size,
            artifact_key: stored.key,
            lineage_hash: manifest.lineage.hash,
            lineage: JSON.stringify(manifest.lineage),
            statistics: JSON.stringify(statistics),
            registry_versions: JSON.stringify(registryVersions),
            created_at: Date.now(),
            created_by: createdBy,
          })
          // The same bytes saved twice are one dataset; the first record stands.
          .onConflict((oc) => oc.column("dataset_hash").doNothing())
          .execute();
        return await get(stored.sha256);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },

    get,

    async statistics(hash) {
      return (await get(hash)).statistics;
    },

    async list(options = {}) {
      const limit = options.limit ?? 50;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) {
        throw invalidArgument("limit", "must be an integer from 1 to 10000");
      }
      let query = db.selectFrom("feature_datasets").selectAll();
      if (options.name !== undefined) query = query.where("name", "=", text(options.name, "name"));
      const rows = await query
        .orderBy("created_at", "desc")
        .orderBy("dataset_hash")
        .limit(limit)
        .execute();
      return rows.map(toDataset);
    },

    async download(hash, path) {
      const dataset = await get(hash);
      if (typeof path !== "string" || path === "") throw invalidArgument("path", "is empty");
      const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
      try {
        await pipeline(await content.getContent(dataset.hash), createWriteStream(temporary));
        await rename(temporary, path);
      } catch (cause) {
        await rm(temporary, { force: true });
        if (cause instanceof PlinthError) throw cause;
        throw new PlinthError(
          "INVALID_ARGUMENT",
          `Cannot write dataset ${hash} to '${path}': ${(cause as Error).message}`,
          { field: "path", cause },
        );
      }
    },
  };
}

function toDataset(row: Selectable<FeatureDatasetsTable>): SavedDataset {
  return {
    hash: row.dataset_hash,
    name: row.name,
    featureService: row.feature_service,
    numRows: Number(row.num_rows),
    sizeBytes: Number(row.size_bytes),
    artifactKey: row.artifact_key,
    lineage: JSON.parse(row.lineage),
    statistics: JSON.parse(row.statistics),
    registryVersions: JSON.parse(row.registry_versions),
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
  };
}

function checkHash(hash: unknown): asserts hash is string {
  if (typeof hash !== "string" || !SHA256_HEX.test(hash)) {
    throw invalidArgument("hash", "must be a dataset hash: 64 lowercase hex characters");
  }
}

function text(value: unknown, field: string): string {
  if (typeof value !== "string") throw invalidArgument(field, "must be a string");
  if (value.length > MAX_NAME_LENGTH) {
    throw invalidArgument(field, `is longer than ${MAX_NAME_LENGTH} characters`);
  }
  return value;
}
