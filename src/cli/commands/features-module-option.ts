import { stat } from "node:fs/promises";
import { userInfo } from "node:os";
import { invalidArgument } from "../../core/errors.ts";
import type { FeatureDefinitions } from "../../features/definitions/feature-definitions.ts";
import { loadFeatureDefinitions } from "../../features/definitions/load-feature-definitions.ts";
import type { OptionValues } from "../command.ts";

/** The module `plan` and `apply` read when no --module is given. */
export const DEFAULT_FEATURES_MODULE = "features.ts";

/** Loads the definitions module `--module` names (default features.ts in the current directory). */
export async function loadModuleOption(
  values: OptionValues,
): Promise<{ module: string; definitions: FeatureDefinitions }> {
  const module = typeof values.module === "string" ? values.module : DEFAULT_FEATURES_MODULE;
  const info = await stat(module).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw invalidArgument(
      "module",
      `no features module at '${module}'${values.module === undefined ? " (the default)" : ""}; pass --module PATH, the TypeScript module that exports your entities, views and services`,
    );
  }
  return { module, definitions: await loadFeatureDefinitions(module) };
}

/** Who is applying: --actor, else the login name. */
export function actorOption(values: OptionValues): string {
  if (typeof values.actor === "string") {
    if (values.actor.trim() === "") throw invalidArgument("actor", "is empty");
    return values.actor;
  }
  try {
    return userInfo().username;
  } catch {
    return "anonymous";
  }
}
