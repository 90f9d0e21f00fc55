import { invalidArgument } from "../../core/errors.ts";
import { createMetadataPipelineRunStore } from "../../pipelines/state/metadata/create-metadata-pipeline-run-store.ts";
import { type Command, withPlatform } from "../command.ts";
import { emit } from "../output.ts";
import { pipelineRunJson, renderPipelineRun, renderPipelineRuns } from "./pipeline-render.ts";
import { runPipelineCommand } from "./pipeline-run.ts";

export const pipelineCommand: Command = {
  summary: "Run pipelines (typed DAGs of cached steps) and inspect their runs",
  usage: `plinth pipeline run FILE [--param KEY=VALUE]... [--concurrency N] [--resume RUN_ID]
                         [--experiment NAME] [--json]
plinth pipeline runs [--pipeline NAME] [--limit N] [--json]
plinth pipeline show RUN_ID [--json]

run     imports FILE (a module whose default export is definePipeline({...})), runs its steps
        in dependency order, N at a time (default 4), reusing the outputs of steps whose code,
        inputs and params match an earlier successful run. --resume continues a failed,
        cancelled or killed run from its finished steps. Ctrl-C cancels cleanly. Exit code 0
        when the run succeeded, 1 when a step failed, 130 when cancelled.
runs    lists pipeline runs, newest first.
show    prints one run's steps: status, attempts, duration, output hashes or error.`,
  options: {
    param: { type: "string", multiple: true },
    concurrency: { type: "string" },
    resume: { type: "string" },
    experiment: { type: "string" },
    pipeline: { type: "string" },
    limit: { type: "string" },
  },

  async run({ positionals, values, io }) {
    const [verb, ...rest] = positionals;
    switch (verb) {
      case "run":
        return runPipelineCommand(rest, values, io);
      case "runs": {
        if (rest.length > 0) throw invalidArgument("pipeline", `unexpected argument '${rest[0]}'`);
        const limit = values.limit === undefined ? 50 : Number(values.limit);
        if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) {
          throw invalidArgument(
            "limit",
            `must be an integer from 1 to 10000, got '${String(values.limit)}'`,
          );
        }
        const runs = await withPlatform(values, (platform) =>
          createMetadataPipelineRunStore(platform.metadata).listRuns({
            limit,
            ...(typeof values.pipeline === "string" ? { pipelineName: values.pipeline } : {}),
          }),
        );
        emit(
          io,
          runs.map((r) => ({
            run_id: r.runId,
            pipeline: r.pipelineName,
            status: r.status,
            start_time: r.startTime,
            end_time: r.endTime,
            resumed_from: r.resumedFrom,
          })),
          () => renderPipelineRuns(runs),
        );
        return 0;
      }
      case "show": {
        const [runId, ...extra] = rest;
        if (runId === undefined) throw invalidArgument("run_id", "is required");
        if (extra.length > 0)
          throw invalidArgument("pipeline", `unexpected argument '${extra[0]}'`);
        const run = await withPlatform(values, (platform) =>
          createMetadataPipelineRunStore(platform.metadata).getRun(runId),
        );
        emit(io, pipelineRunJson(run), () => renderPipelineRun(run));
        return 0;
      }
      default:
        throw invalidArgument(
          "pipeline",
          `expected 'run', 'runs' or 'show', got '${verb ?? ""}'. Run 'plinth pipeline --help'`,
        );
    }
  },
};
