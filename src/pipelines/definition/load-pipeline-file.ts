import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isPlinthError, PlinthError } from "../../core/errors.ts";
import { asForeignPlinthError } from "../../core/import-user-module.ts";
import { isPipeline, type Pipeline } from "./define-pipeline.ts";

/** Makes each fresh import's URL unique, even within one millisecond. */
let freshImports = 0;

/**
 * Imports a pipeline module (TypeScript works when running under tsx) and returns the
 * pipeline it exports: the default export, or else its one named pipeline export.
 * Definition errors thrown while the module loads (cycles, duplicates) keep their codes.
 *
 * @example
 * const { pipeline, moduleUrl } = await loadPipelineFile("pipelines/fraud.ts");
 */
export async function loadPipelineFile(
  file: string,
  options: {
    /**
     * Import the module anew rather than from the module cache, to pick up a changed file
     * in a long-lived process (a queue worker). Each fresh import stays in memory.
     */
    fresh?: boolean;
  } = {},
): Promise<{ pipeline: Pipeline; moduleUrl: string }> {
  const path = resolve(file);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw new PlinthError("PIPELINES_LOAD_FAILED", `Pipeline file '${file}' does not exist`, {
      field: "file",
    });
  }
  const moduleUrl = pathToFileURL(path).href;
  let exports: Record<string, unknown>;
  try {
    exports = await importModule(
      options.fresh === true ? `${moduleUrl}?fresh=${Date.now()}-${freshImports++}` : moduleUrl,
    );
  } catch (error) {
    if (isPlinthError(error)) throw error;
    const foreign = asForeignPlinthError(error);
    if (foreign !== undefined) throw foreign;
    throw new PlinthError(
      "PIPELINES_LOAD_FAILED",
      `Pipeline file '${file}' failed to load: ${error instanceof Error ? error.message : String(error)}`,
      { field: "file", cause: error },
    );
  }
  if (isPipeline(exports.default)) return { pipeline: exports.default, moduleUrl };
  const named = Object.values(exports).filter(isPipeline);
  if (named.length === 1) return { pipeline: named[0] as Pipeline, moduleUrl };
  throw new PlinthError(
    "PIPELINES_LOAD_FAILED",
    named.length === 0
      ? `Pipeline file '${file}' exports no pipeline; export default definePipeline({...})`
      : `Pipeline file '${file}' exports ${named.length} pipelines; make one the default export`,
    { field: "file" },
  );
}

/**
 * Imports a module; a TypeScript file that this process cannot load itself (the compiled
 * CLI runs without a loader) goes through tsx, a plinth dependency, instead.
 */
async function importModule(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: unknown })?.code !== "ERR_UNKNOWN_FILE_EXTENSION") throw error;
    if (!/\.[mc]?ts(\?|$)/.test(url)) throw error;
    const { tsImport } = await import("tsx/esm/api");
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
}
