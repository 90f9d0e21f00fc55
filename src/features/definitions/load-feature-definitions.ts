import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { isPlinthError, PlinthError } from "../../core/errors.ts";
import { asForeignPlinthError, importUserModule } from "../../core/import-user-module.ts";
import { defineFeatures, type FeatureDefinitions } from "./feature-definitions.ts";

/**
 * Imports a user's features module (e.g. `features.ts`) and collects every exported
 * definition, as Feast collects the objects of a feature repo. Relative source paths then
 * resolve against the module's directory, not the caller's cwd. Each call imports the file
 * afresh, so a plan after an edit sees the edit.
 *
 * Throws FEATURES_DEFINITIONS_LOAD_FAILED naming the module when it does not exist or
 * throws while loading (the original error is the `cause`), and the definition errors of
 * defineFeatures, prefixed with the module's name, when its exports are inconsistent.
 *
 * @example
 * const defs = await loadFeatureDefinitions("features.ts");
 * const service = defs.featureServices.get("fraud_v1");
 */
export async function loadFeatureDefinitions(modulePath: string): Promise<FeatureDefinitions> {
  if (typeof modulePath !== "string" || modulePath === "") {
    throw new PlinthError(
      "FEATURES_DEFINITIONS_LOAD_FAILED",
      "No features module given; pass the path of a module such as features.ts",
      { field: "module" },
    );
  }
  const absolute = resolve(modulePath);
  const info = await stat(absolute).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw new PlinthError(
      "FEATURES_DEFINITIONS_LOAD_FAILED",
      `No features module at '${modulePath}'${info === undefined ? "" : " (it is a directory)"}; pass the path of the module that exports your definitions`,
      { field: modulePath },
    );
  }
  try {
    const exports = await importUserModule(absolute);
    return defineFeatures(Object.values(exports), { baseDir: dirname(absolute) });
  } catch (error) {
    const cause = asForeignPlinthError(error) ?? error;
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
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";
}
