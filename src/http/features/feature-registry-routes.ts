import type { FastifyInstance } from "fastify";
import type {
  SavedDataset,
  SavedDatasetStore,
} from "../../features/datasets/saved-dataset-store.ts";
import type { FeatureRegistry } from "../../features/registry/feature-registry.ts";
import type { RegistryObject } from "../../features/registry/registry-object.ts";
import type { RegistryObjectKind } from "../../features/registry/registry-spec.ts";

/** Response keys of each kind in `GET /api/features/registry`. */
const KEYS: Readonly<Record<RegistryObjectKind, string>> = {
  entity: "entities",
  featureView: "feature_views",
  onDemandFeatureView: "on_demand_feature_views",
  featureService: "feature_services",
  pushSource: "push_sources",
};

/**
 * Read-only REST over the feature registry and saved datasets (changes go through
 * `plinth features apply`, which runs the user's code):
 *
 * - `GET /api/features/registry`: the active version of every object, by kind;
 * - `GET /api/features/datasets/:hash`: a saved dataset's lineage and statistics, the
 *   reference profile monitoring loads.
 */
export function registerFeatureRegistryRoutes(
  app: FastifyInstance,
  registry: FeatureRegistry,
  datasets: SavedDatasetStore,
): void {
  app.get("/api/features/registry", async () => {
    const { revision, objects } = await registry.list();
    const body: Record<string, unknown> = { revision };
    for (const [kind, key] of Object.entries(KEYS)) {
      body[key] = objects.filter((o) => o.kind === kind).map(objectJson);
    }
    return body;
  });
  app.get("/api/features/datasets/:hash", async (req) => {
    const { hash } = req.params as { hash: string };
    return datasetJson(await datasets.get(hash));
  });
}

function objectJson(o: RegistryObject) {
  return {
    name: o.name,
    version: o.version,
    spec: o.spec,
    spec_hash: o.specHash,
    created_revision: o.createdRevision,
    updated_revision: o.updatedRevision,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
  };
}

function datasetJson(d: SavedDataset) {
  return {
    hash: d.hash,
    name: d.name,
    feature_service: d.featureService,
    num_rows: d.numRows,
    size_bytes: d.sizeBytes,
    artifact_key: d.artifactKey,
    lineage: d.lineage,
    statistics: d.statistics,
    registry_versions: d.registryVersions,
    created_at: d.createdAt,
    created_by: d.createdBy,
  };
}
