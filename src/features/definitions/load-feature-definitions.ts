import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isPlinthError, PlinthError } from "../../core/errors.ts";
import { importUserModule } from "../../core/import-user-module.ts";
import { defineFeatures, type FeatureDefinitions } from "./feature-definitions.ts";

/**
 * Imports a user's features module (e.g. `features.ts`, run through tsx) and collects
 * every exported definition, as Feast collects the objects of a feature repo. Relative
 * source paths then resolve against the module's directory, not the caller's cwd.
 *
 * Throws FEATURES_DEFINITIONS_LOAD_FAILED naming the module when it cannot be found or
 * throws while loading (the original error is the `cause`), and the definition errors of
 * defineFeatures when its exports are inconsistent.
 *
 * @example
 * const defs = await loadFeatureDefinitions("features.ts");
 * const service = defs.featureServices.get("fraud_v1");
 */
export async function loadFeatureDefinitions(modulePath: string): Promise<FeatureDefinitions> {
  const absolute = resolve(modulePath);
  let exports: Record<string, unknown>;
  try {
    exports = await importUserModule(pathToFileURL(absolute).href);
  } catch (cause) {
    if (isPlinthError(cause)) {
      throw new PlinthError(
        cause.code,
        `Loading feature definitions from '${modulePath}': ${cause.message}`,
        { ...(cause.field === undefined ? {} : { field: cause.field }), cause },
      );
    }
    throw new PlinthError(
      "FEATURES_DEFINITIONS_LOAD_FAILED",
      `Cannot load feature definitions from '${modulePath}': ${firstLine(cause)}`,
      { field: modulePath, cause },
    );
  }
  return defineFeatures(Object.values(exports), { baseDir: dirname(absolute) });
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";
}
