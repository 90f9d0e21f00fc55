import { invalidArgument } from "../../core/errors.ts";
import { createMetadataRegisteredPipelineStore } from "../../pipelines/registered/metadata/create-metadata-registered-pipeline-store.ts";
import { resolvePipeline } from "../../pipelines/registered/resolve-pipeline.ts";
import type { PipelineEvent } from "../../pipelines/run/pipeline-event.ts";
import { type PipelineRunResult, runPipeline } from "../../pipelines/run/run-pipeline.ts";
import { type OptionValues, withPlatform } from "../command.ts";
import { type CommandIO, emit } from "../output.ts";
import { createProgressBar, type ProgressBar } from "../progress-bar.ts";
import { executorFlags, parseParamFlags } from "./pipeline-flags.ts";
import { pipelineRunJson, renderPipelineRun } from "./pipeline-render.ts";

/** Exit code of a run cancelled with Ctrl-C, as shells report SIGINT. */
const CANCELLED_EXIT = 130;

/**
 * `plinth pipeline run <pipeline>`: loads the module (a file, `builtin:<name>` or a
 * registered name), runs it with live progress on stderr, and turns the first Ctrl-C (or
 * SIGTERM) into a clean cancellation; a second Ctrl-C exits at once.
 */
export async function runPipelineCommand(
  args: string[],
  values: OptionValues,
  io: CommandIO,
): Promise<number> {
  const [ref, ...rest] = args;
  if (ref === undefined) {
    throw invalidArgument(
      "pipeline",
      "is required: a pipeline file, builtin:<name> or a registered name",
    );
  }
  if (rest.length > 0) throw invalidArgument("pipeline", `unexpected argument '${rest[0]}'`);
  const params = parseParamFlags(values.param as unknown as string[] | undefined);
  const resumeFrom = typeof values.resume === "string" ? values.resume : undefined;
  const experiment = typeof values.experiment === "string" ? values.experiment : undefined;

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(CANCELLED_EXIT);
    io.stderr("cancelling: waiting for running steps to stop (Ctrl-C again to exit now)");
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let result: PipelineRunResult;
  try {
    result = await withPlatform(values, async (platform) => {
      const registered = createMetadataRegisteredPipelineStore(platform.metadata);
      const { pipeline, moduleUrl } = await resolvePipeline(ref, registered);
      const executor = executorFlags(values, platform.config.pipelines.executor);
      return runPipeline(pipeline, {
        platform,
        params,
        executor,
        signal: controller.signal,
        moduleUrl,
        triggeredBy: "cli",
        ...(resumeFrom === undefined ? {} : { resumeFrom }),
        ...(experiment === undefined ? {} : { experiment }),
        onEvent: createProgress(io, pipeline.order.length),
      });
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  emit(io, pipelineRunJson(result), () => renderPipelineRun(result));
  return result.status === "succeeded" ? 0 : result.status === "cancelled" ? CANCELLED_EXIT : 1;
}

/** A line per finished step, and (on a terminal) a bar with the steps now running. */
function createProgress(io: CommandIO, total: number): (event: PipelineEvent) => void {
  if (io.json) return () => {};
  const bar: ProgressBar | undefined = process.stderr.isTTY
    ? createProgressBar({ label: "steps", total })
    : undefined;
  const running = new Set<string>();
  let done = 0;
  return (event) => {
    switch (event.type) {
      case "run-started":
        io.stderr(`pipeline ${event.pipeline}: run ${event.runId} (${event.steps.length} steps)`);
        break;
      case "step-started":
        running.add(event.step);
        break;
      case "step-retrying":
        bar?.finish();
        io.stderr(
          `  ${event.step}: attempt ${event.attempt} failed (${event.error}); retrying in ${event.delayMs} ms`,
        );
        break;
      case "step-finished": {
        running.delete(event.step);
        done += 1;
        bar?.finish();
        const detail =
          event.status === "cached"
            ? ` (cache hit from run ${event.cachedFrom})`
            : event.error === null
              ? ""
              : `: ${event.error}`;
        io.stderr(`  ${event.status.padEnd(9)} ${event.step} ${event.durationMs} ms${detail}`);
        break;
      }
      case "run-finished":
        bar?.finish();
        return;
    }
    bar?.update(done, running.size > 0 ? `running: ${[...running].join(", ")}` : "");
  };
}
