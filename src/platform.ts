import type { ArtifactStore } from "./artifacts/artifact-store.ts";
import { createLocalArtifactStore } from "./artifacts/local/local-artifact-store.ts";
import type { ArtifactsConfig, PlinthConfig } from "./core/config.ts";
import { createLogger, type Logger } from "./core/logger.ts";
import { createSavedDatasetStore } from "./features/datasets/create-saved-dataset-store.ts";
import type { SavedDatasetStore } from "./features/datasets/saved-dataset-store.ts";
import type { FeatureRegistry } from "./features/registry/feature-registry.ts";
import { createMetadataFeatureRegistry } from "./features/registry/metadata/create-metadata-feature-registry.ts";
import { createMetadataStore } from "./metadata/create-metadata-store.ts";
import type { MetadataStore } from "./metadata/metadata-store.ts";
import { createRegistryService, type RegistryService } from "./registry/registry-service.ts";
import { createTrackingService, type TrackingService } from "./tracking/tracking-service.ts";

/** Every store and service of one plinth installation, built from its configuration. */
export interface Platform {
  readonly config: PlinthConfig;
  readonly logger: Logger;
  readonly metadata: MetadataStore;
  readonly artifacts: ArtifactStore;
  readonly tracking: TrackingService;
  readonly registry: RegistryService;
  /** Applied feature definitions and their history (`plinth features plan|apply`). */
  readonly featureRegistry: FeatureRegistry;
  /** Saved training datasets, with the statistics monitoring uses as its reference. */
  readonly savedDatasets: SavedDatasetStore;
  /** Closes the stores. */
  close(): Promise<void>;
}

/** Turns configuration into backends: the one place that knows which backend a config names. */
export function createArtifactStore(config: ArtifactsConfig): ArtifactStore {
  switch (config.type) {
    case "local":
      return createLocalArtifactStore({ root: config.root });
  }
}

/**
 * Opens the metadata store (migrating it), the artifact store and the services above them.
 *
 * @example
 * const platform = await openPlatform(resolveConfig());
 * await platform.tracking.experiments.create({ name: "fraud" });
 * await platform.close();
 */
export async function openPlatform(
  config: PlinthConfig,
  options: { logger?: Logger } = {},
): Promise<Platform> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const metadata = await createMetadataStore(config.metadata);
  const artifacts = createArtifactStore(config.artifacts);
  const featureRegistry = createMetadataFeatureRegistry(metadata);
  return {
    config,
    logger,
    metadata,
    artifacts,
    tracking: createTrackingService(metadata),
    registry: createRegistryService(metadata),
    featureRegistry,
    savedDatasets: createSavedDatasetStore({ metadata, artifacts, registry: featureRegistry }),
    close: () => metadata.close(),
  };
}
