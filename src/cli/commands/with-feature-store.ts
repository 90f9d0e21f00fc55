import { resolveConfig } from "../../core/config.ts";
import { createLogger } from "../../core/logger.ts";
import type { FeatureStore } from "../../features/feature-store.ts";
import { openPlatform } from "../../platform.ts";
import type { OptionValues } from "../command.ts";

/**
 * Opens the platform the flags and environment name, with `--module` (when given) as the
 * feature definitions module, runs `work` on its feature store, and closes everything.
 */
export async function withFeatureStore<T>(
  values: OptionValues,
  work: (store: FeatureStore) => Promise<T>,
): Promise<T> {
  const config = resolveConfig({
    overrides: {
      ...(typeof values.home === "string" ? { home: values.home } : {}),
      ...(typeof values.module === "string" ? { featuresModule: values.module } : {}),
    },
  });
  const platform = await openPlatform(config, { logger: createLogger({ level: "silent" }) });
  try {
    return await work(await platform.features());
  } finally {
    await platform.close();
  }
}
