import { invalidArgument } from "../../core/errors.ts";
import { traceModelVersion } from "../../pipelines/lineage/trace-model-version.ts";
import { STALE_RUN_MS } from "../../pipelines/run/run-pipeline.ts";
import { createMetadataPipelineRunStore } from "../../pipelines/state/metadata/create-metadata-pipeline-run-store.ts";
import { type OptionValues, withPlatform } from "../command.ts";
import { type CommandIO, emit } from "../output.ts";
import { renderTable } from "../table.ts";
import { integerFlag } from "./pipeline-flags.ts";
import { pipelineRunJson, renderPipelineRun, renderPipelineRuns } from "./pipeline-render.ts";

/** The verbs that read or stop runs: `runs`, `show`, `logs`, `cancel`, `lineage`. */
export async function inspectPipelineCommand(
  verb: "runs" | "show" | "logs" | "cancel" | "lineage",
  args: readonly string[],
  values: OptionValues,
  io: CommandIO,
): Promise<number> {
  const expect = (names: readonly string[]) => {
    for (const [i, name] of names.entries()) {
      if (args[i] === undefined) throw invalidArgument(name, "is required");
    }
    if (args.length > names.length) {
      throw invalidArgument("pipeline", `unexpected argument '${args[names.length]}'`);
    }
    return args as readonly string[];
  };
  return withPlatform(values, async (platform) => {
    const runs = createMetadataPipelineRunStore(platform.metadata);
    switch (verb) {
      case "runs": {
        expect([]);
        const limit = integerFlag(values.limit, "limit", 50, 1, 10_000);
        const list = await runs.listRuns({
          limit,
          ...(typeof values.pipeline === "string" ? { pipelineName: values.pipeline } : {}),
        });
        emit(
          io,
          list.map((r) => ({
            run_id: r.runId,
            pipeline: r.pipelineName,
            status: r.status,
            triggered_by: r.triggeredBy,
            start_time: r.startTime,
            end_time: r.endTime,
            resumed_from: r.resumedFrom,
          })),
          () => renderPipelineRuns(list),
        );
        return 0;
      }
      case "show": {
        const [runId] = expect(["run_id"]);
        const run = await runs.getRun(runId as string);
        emit(io, pipelineRunJson(run), () => renderPipelineRun(run));
        return 0;
      }
      case "logs": {
        const [runId] = expect(["run_id"]);
        const step = typeof values.step === "string" ? values.step : undefined;
        const logs = await runs.logs(runId as string, step);
        emit(io, logs, () =>
          logs
            .map(({ step: s, logs: text }) => `== ${s}\n${text === "" ? "(no log lines)" : text}`)
            .join("\n"),
        );
        return 0;
      }
      case "cancel": {
        const [runId] = expect(["run_id"]);
        const outcome = await runs.requestCancel(runId as string, STALE_RUN_MS);
        const text = {
          requested: `cancel requested: the process running ${runId} stops it within a second or two`,
          cancelled: `run ${runId} had no live process (it was killed); marked cancelled`,
          finished: `run ${runId} had already finished; nothing to cancel`,
        }[outcome];
        emit(io, { run_id: runId, outcome }, () => text);
        return 0;
      }
      case "lineage": {
        const [model, version] = expect(["model", "version"]);
        const lineage = await traceModelVersion(platform, model as string, version as string);
        emit(io, lineage, () =>
          [
            `model ${model} version ${version} <- pipeline ${lineage.pipelineRun.pipeline} run ${lineage.pipelineRun.runId} (step ${lineage.registeredBy})`,
            renderTable(
              ["step", "status", "reads", "writes"],
              lineage.steps.map((s) => [
                s.step,
                s.cachedFrom === null ? s.status : `${s.status} (from ${s.cachedFrom})`,
                Object.entries(s.inputs)
                  .map(([k, v]) =>
                    "param" in v
                      ? `${k}=${clip(String(v.param), 40)}`
                      : `${k}=${v.output.sha256.slice(0, 12)}`,
                  )
                  .join(" "),
                Object.entries(s.outputs)
                  .map(([k, o]) => `${k}=${o.sha256.slice(0, 12)}`)
                  .join(" "),
              ]),
            ),
          ].join("\n"),
        );
        return 0;
      }
    }
  });
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
