import { PlinthError } from "../../../core/errors.ts";
import type { Pipeline } from "../../definition/define-pipeline.ts";
import { BUILTIN_PREFIX, loadPipelineModule } from "../../definition/load-pipeline-module.ts";
import { stepCodeVersion } from "../../run/step-cache-key.ts";
import type { StepTask } from "../step-task.ts";

/**
 * The pipeline modules a worker has loaded, by URL. A task whose step's code version is
 * not the loaded one makes the worker import the file anew once (it was edited since);
 * if that still differs, the worker refuses the task rather than run other code under
 * the driver's cache key.
 */
export function createPipelineModuleCache(workerName: string) {
  const loaded = new Map<string, Promise<Pipeline>>();

  function load(url: string, fresh: boolean): Promise<Pipeline> {
    const promise = loadPipelineModule(url, { fresh });
    loaded.set(url, promise);
    promise.catch(() => loaded.delete(url));
    return promise;
  }

  const matches = (pipeline: Pipeline, task: StepTask) => {
    const step = pipeline.steps.find((s) => s.name === task.step);
    return step !== undefined && stepCodeVersion(step) === task.codeVersion;
  };

  return {
    /** The pipeline to run `task` with. */
    async pipelineFor(task: StepTask): Promise<Pipeline> {
      const url = task.moduleUrl;
      if (url === undefined) {
        throw new PlinthError(
          "PIPELINES_INVALID_DEFINITION",
          `Step '${task.step}' came without its pipeline module; queue runs need the pipeline loaded from a file`,
          { field: "moduleUrl" },
        );
      }
      const current = await (loaded.get(url) ?? load(url, false));
      if (matches(current, task)) return current;
      if (!url.startsWith(BUILTIN_PREFIX)) {
        const fresh = await load(url, true);
        if (matches(fresh, task)) return fresh;
      }
      throw new PlinthError(
        "PIPELINES_CODE_MISMATCH",
        `Worker ${workerName} has a different version of step '${task.step}' in ${url} than the run was started with: deploy the same code to the workers`,
        { field: `steps.${task.step}` },
      );
    },
  };
}
