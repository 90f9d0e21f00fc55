import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { isPlinthError, PlinthError } from "../../core/errors.ts";
import { asForeignPlinthError, importUserModule } from "../../core/import-user-module.ts";
import { isPipeline, type Pipeline } from "./define-pipeline.ts";

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
    exports = await importUserModule(path);
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
