import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { ArtifactStore } from "../../artifacts/artifact-store.ts";
import { createContentAddressedStore } from "../../artifacts/content-addressed-store.ts";
import { downloadModelPackage } from "../../models/package/download-model-package.ts";
import { readModelPackage } from "../../models/package/model-package.ts";
import { TRAINING_TAGS } from "../../pipelines/builtin/training/register-candidate.ts";
import type { RegistryService } from "../../registry/registry-service.ts";
import type { ModelVersion } from "../../registry/types.ts";
import type { DeploymentStore } from "../../serving/deployments/deployment-store.ts";
import type { TrackingService } from "../../tracking/tracking-service.ts";
import { readParquetDataset } from "../../training/dataset/read-parquet-dataset.ts";
import { championVariant } from "../retraining/canary-variants.ts";
import type { DriftReference } from "./create-records-metric-source.ts";

/** Reference tables kept, by model version. */
const CACHE_SIZE = 16;

/**
 * The drift reference of a deployment: the training set of the version its champion variant
 * serves now, as the training pipeline stored it (content-addressed, named by the version's
 * `plinth.training_set.sha256` tag), restricted to the model's inputs (its signature, else
 * its package manifest). Undefined (drift metrics are then no_data) when the version has no
 * such tag.
 *
 * @example
 * const reference = createTrainingSetReference({ registry, deployments, artifacts });
 * const source = createRecordsMetricSource({ read: (q) => reader.read(q), reference });
 */
export function createTrainingSetReference(options: {
  readonly registry: Pick<RegistryService, "aliases" | "versions">;
  readonly deployments: Pick<DeploymentStore, "get">;
  readonly artifacts: ArtifactStore;
  readonly tracking: TrackingService;
}): (deployment: string) => Promise<DriftReference | undefined> {
  const content = createContentAddressedStore(options.artifacts);
  const cache = new Map<string, Promise<DriftReference | undefined>>();
  return async (deploymentName) => {
    const deployment = await options.deployments.get(deploymentName);
    const champion = championVariant(deployment);
    const version: ModelVersion =
      champion.alias !== undefined
        ? await options.registry.aliases.resolve(champion.model, champion.alias)
        : await options.registry.versions.get(champion.model, champion.version as string);
    const key = `${version.name}\u0000${version.version}`;
    let cached = cache.get(key);
    if (cached === undefined) {
      cached = load(version).catch((error: unknown) => {
        cache.delete(key);
        throw error;
      });
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(key, cached);
    }
    return cached;
  };

  async function load(version: ModelVersion): Promise<DriftReference | undefined> {
    const sha = version.tags.find((t) => t.key === TRAINING_TAGS.trainingSetSha256)?.value;
    if (sha === undefined) return undefined;
    const dir = await mkdtemp(join(tmpdir(), "plinth-reference-"));
    try {
      let inputs = version.signature?.inputs.map((f) => f.name);
      if (inputs === undefined || inputs.length === 0) {
        const packageDir = join(dir, "model");
        await downloadModelPackage(options, version.source, packageDir);
        inputs = (await readModelPackage(packageDir)).manifest.inputs.map((f) => f.name);
      }
      const path = join(dir, "training.parquet");
      await pipeline(await content.getContent(sha), createWriteStream(path));
      const data = await readParquetDataset(path, { features: inputs });
      return { features: data.features };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
