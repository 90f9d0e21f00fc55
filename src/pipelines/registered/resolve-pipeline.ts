import { stat } from "node:fs/promises";
import { PlinthError } from "../../core/errors.ts";
import type { Pipeline } from "../definition/define-pipeline.ts";
import { loadPipelineFile } from "../definition/load-pipeline-file.ts";
import { BUILTIN_PREFIX, loadPipelineModule } from "../definition/load-pipeline-module.ts";
import type { RegisteredPipelineStore } from "./registered-pipeline-store.ts";

/**
 * The pipeline a command line or request names: `builtin:<name>`, a module file, or the
 * name of a registered (or built-in) pipeline; with the module reference workers import.
 *
 * @example
 * const { pipeline, moduleUrl } = await resolvePipeline("pipelines/fraud.ts", registered);
 */
export async function resolvePipeline(
  ref: string,
  registered: RegisteredPipelineStore,
): Promise<{ pipeline: Pipeline; moduleUrl: string }> {
  if (ref.startsWith(BUILTIN_PREFIX)) {
    return { pipeline: await loadPipelineModule(ref), moduleUrl: ref };
  }
  const isFile = await stat(ref).then(
    (s) => s.isFile(),
    () => false,
  );
  if (isFile || /[/\\]|\.[cm]?[jt]s$/.test(ref)) return loadPipelineFile(ref);
  const entry = await registered.get(ref).catch((error: unknown) => {
    throw new PlinthError(
      "PIPELINES_NOT_REGISTERED",
      `'${ref}' is neither a pipeline file nor a registered pipeline (${(error as Error).message})`,
      { field: "pipeline", cause: error },
    );
  });
  const pipeline = await loadPipelineModule(entry.module);
  if (pipeline.name !== entry.name) {
    throw new PlinthError(
      "PIPELINES_LOAD_FAILED",
      `Pipeline '${entry.name}' is registered as ${entry.module}, which now defines '${pipeline.name}': register it again`,
      { field: "pipeline" },
    );
  }
  return { pipeline, moduleUrl: entry.module };
}
