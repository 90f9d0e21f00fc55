import { fileURLToPath } from "node:url";
import { PlinthError } from "../../core/errors.ts";
import { BUILTIN_PIPELINES } from "../builtin/builtin-pipelines.ts";
import type { Pipeline } from "./define-pipeline.ts";
import { loadPipelineFile } from "./load-pipeline-file.ts";

/** The module reference of a built-in pipeline: `builtin:<name>`. */
export const BUILTIN_PREFIX = "builtin:";

/**
 * Loads the pipeline a module reference names: `builtin:<name>` for one of plinth's own
 * (every process has them), or a `file://` URL of a user's module, which a queue worker
 * must find at the same path on its own machine.
 *
 * @example
 * const pipeline = await loadPipelineModule("builtin:training");
 */
export async function loadPipelineModule(
  moduleUrl: string,
  options: { fresh?: boolean } = {},
): Promise<Pipeline> {
  if (moduleUrl.startsWith(BUILTIN_PREFIX)) {
    const name = moduleUrl.slice(BUILTIN_PREFIX.length);
    const pipeline = Object.hasOwn(BUILTIN_PIPELINES, name) ? BUILTIN_PIPELINES[name] : undefined;
    if (pipeline === undefined) {
      throw new PlinthError(
        "PIPELINES_LOAD_FAILED",
        `There is no built-in pipeline '${name}'; built-in: ${Object.keys(BUILTIN_PIPELINES).join(", ")}`,
        { field: "module" },
      );
    }
    return pipeline;
  }
  if (!moduleUrl.startsWith("file:")) {
    throw new PlinthError(
      "PIPELINES_LOAD_FAILED",
      `Pipeline module '${moduleUrl}' must be a file:// URL or ${BUILTIN_PREFIX}<name>`,
      { field: "module" },
    );
  }
  return (await loadPipelineFile(fileURLToPath(moduleUrl), options)).pipeline;
}
