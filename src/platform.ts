import type { ArtifactStore } from "./artifacts/artifact-store.ts";
import { createLocalArtifactStore } from "./artifacts/local/local-artifact-store.ts";
import type { ArtifactsConfig, OnlineStoreConfig, PlinthConfig } from "./core/config.ts";
import { PlinthError } from "./core/errors.ts";
import { createLogger, type Logger } from "./core/logger.ts";
import { createSavedDatasetStore } from "./features/datasets/create-saved-dataset-store.ts";
import type { SavedDatasetStore } from "./features/datasets/saved-dataset-store.ts";
import { loadFeatureDefinitions } from "./features/definitions/load-feature-definitions.ts";
import { createFeatureStore, type FeatureStore } from "./features/feature-store.ts";
import type { OnlineStore } from "./features/online/online-store.ts";
import { createRedisOnlineStore } from "./features/online/redis/create-redis-online-store.ts";
import { createSqliteOnlineStore } from "./features/online/sqlite/create-sqlite-online-store.ts";
import type { FeatureRegistry } from "./features/registry/feature-registry.ts";
import { createMetadataFeatureRegistry } from "./features/registry/metadata/create-metadata-feature-registry.ts";
import { createMetadataStore } from "./metadata/create-metadata-store.ts";
import type { MetadataStore } from "./metadata/metadata-store.ts";
import { createRegistryService, type RegistryService } from "./registry/registry-service.ts";
import { createMetadataDeploymentStore } from "./serving/deployments/create-metadata-deployment-store.ts";
import type { DeploymentStore } from "./serving/deployments/deployment-store.ts";
import { createTrackingService, type TrackingService } from "./tracking/tracking-service.ts";

/** Every store and service of one plinth installation, built from its configuration. */
export interface Platform {
  readonly config: PlinthConfig;
  readonly logger: Logger;
  readonly metadata: MetadataStore;
  readonly artifacts: ArtifactStore;
  readonly tracking: TrackingService;
  readonly registry: RegistryService;
  /**
   * The feature store over `config.featuresModule` and `config.online`, opened on first
   * use and kept; throws FEATURES_NOT_CONFIGURED when no features module is configured.
   */
  features(): Promise<FeatureStore>;
  /** Applied feature definitions and their history (`plinth features plan|apply`). */
  readonly featureRegistry: FeatureRegistry;
  /** Saved training datasets, with the statistics monitoring uses as its reference. */
  readonly savedDatasets: SavedDatasetStore;
  /** Model-serving deployments (variants, traffic split, sticky key). */
  readonly deployments: DeploymentStore;
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

/** The online store a configuration names. */
export function createOnlineStore(config: OnlineStoreConfig): OnlineStore {
  switch (config.type) {
    case "sqlite":
      return createSqliteOnlineStore({ path: config.path });
    case "redis":
      return createRedisOnlineStore({ url: config.url, keyPrefix: config.keyPrefix });
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
  let features: Promise<FeatureStore> | undefined;
  const openFeatures = async (): Promise<FeatureStore> => {
    const module = config.featuresModule;
    if (module === undefined) {
      throw new PlinthError(
        "FEATURES_NOT_CONFIGURED",
        "No feature definitions module is configured: set featuresModule in config.json or PLINTH_FEATURES (the CLI also takes --module)",
        { field: "featuresModule" },
      );
    }
    const definitions = await loadFeatureDefinitions(module);
    return createFeatureStore({ definitions, online: createOnlineStore(config.online), metadata });
  };
  const featureRegistry = createMetadataFeatureRegistry(metadata);
  const registry = createRegistryService(metadata);
  return {
    config,
    logger,
    metadata,
    artifacts,
    tracking: createTrackingService(metadata),
    registry,
    features() {
      // A failed open is not kept: the next call tries again (Node keeps a module that threw).
      features ??= openFeatures().catch((e: unknown) => {
        features = undefined;
        throw e;
      });
      return features;
    },
    async close() {
      const opened = await features?.catch(() => undefined);
      await opened?.close();
      await metadata.close();
    },
    featureRegistry,
    savedDatasets: createSavedDatasetStore({ metadata, artifacts, registry: featureRegistry }),
    deployments: createMetadataDeploymentStore(metadata, registry),
  };
}
