import { invalidArgument } from "../../core/errors.ts";
import { loadPipelineFile } from "../../pipelines/definition/load-pipeline-file.ts";
import type { PipelineEvent } from "../../pipelines/run/pipeline-event.ts";
import { type PipelineRunResult, runPipeline } from "../../pipelines/run/run-pipeline.ts";
import { type OptionValues, withPlatform } from "../command.ts";
import { type CommandIO, emit } from "../output.ts";
import { createProgressBar, type ProgressBar } from "../progress-bar.ts";
import { pipelineRunJson, renderPipelineRun } from "./pipeline-render.ts";

/** Exit code of a run cancelled with Ctrl-C, as shells report SIGINT. */
const CANCELLED_EXIT = 130;

/**
 * `plinth pipeline run <file>`: loads the module, runs it with live progress on stderr,
 * and turns the first Ctrl-C into a clean cancellation (a second one exits at once).
 */
export async function runPipelineCommand(
  args: string[],
  values: OptionValues,
  io: CommandIO,
): Promise<number> {
  const [file, ...rest] = args;
  if (file === undefined) throw invalidArgument("file", "is required: the pipeline module to run");
  if (rest.length > 0) throw invalidArgument("pipeline", `unexpected argument '${rest[0]}'`);
  const params = parseParamFlags(values.param as unknown as string[] | undefined);
  const concurrency = integerFlag(values.concurrency, "concurrency", 4, 1, 1024);
  const resumeFrom = typeof values.resume === "string" ? values.resume : undefined;
  const experiment = typeof values.experiment === "string" ? values.experiment : undefined;
  const { pipeline, moduleUrl } = await loadPipelineFile(file);

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(CANCELLED_EXIT);
    io.stderr("cancelling: waiting for running steps to stop (Ctrl-C again to exit now)");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  const progress = createProgress(io, pipeline.order.length);
  let result: PipelineRunResult;
  try {
    result = await withPlatform(values, (platform) =>
      runPipeline(pipeline, {
        platform,
        params,
        executor: { type: "in-process", concurrency },
        signal: controller.signal,
        moduleUrl,
        ...(resumeFrom === undefined ? {} : { resumeFrom }),
        ...(experiment === undefined ? {} : { experiment }),
        onEvent: progress,
      }),
    );
  } finally {
    process.off("SIGINT", onSigint);
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

/** `--param k=v`, repeated; values stay strings and are parsed to the declared types. */
function parseParamFlags(flags: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags ?? []) {
    const eq = flag.indexOf("=");
    if (eq <= 0) throw invalidArgument("param", `expected KEY=VALUE, got '${flag}'`);
    out[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  return out;
}

function integerFlag(
  value: unknown,
  flag: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw invalidArgument(flag, `must be an integer from ${min} to ${max}, got '${String(value)}'`);
  }
  return n;
}
