import { invalidArgument } from "../../core/errors.ts";
import type { Run } from "../../tracking/types.ts";
import { type Command, withPlatform } from "../command.ts";
import { emit } from "../output.ts";
import { formatNumber, formatTime, renderTable } from "../table.ts";
import { findExperiment } from "./experiments.ts";

const shortMetrics = (run: Run) =>
  run.data.metrics
    .slice(0, 4)
    .map((m) => `${m.key}=${formatNumber(m.value)}`)
    .join(" ");

export const runsCommand: Command = {
  summary: "List runs of an experiment (with MLflow filters), or show one",
  usage: `plinth runs list [--experiment ID-OR-NAME] [--filter "metrics.auc > 0.8"] [--order-by "metrics.auc DESC"] [--max N] [--json]
plinth runs show <run-id> [--json]`,
  options: {
    experiment: { type: "string", short: "e" },
    filter: { type: "string" },
    "order-by": { type: "string", multiple: false },
    max: { type: "string" },
  },

  async run({ positionals, values, io }) {
    const [verb, ref] = positionals;
    if (verb === "list") {
      const max = typeof values.max === "string" ? Number(values.max) : 100;
      if (!Number.isSafeInteger(max) || max < 1)
        throw invalidArgument("--max", `expected a positive integer, got '${values.max}'`);
      return withPlatform(values, async (platform) => {
        const experiment = await findExperiment(
          platform,
          typeof values.experiment === "string" ? values.experiment : "0",
        );
        const page = await platform.tracking.runs.search({
          experimentIds: [experiment.experimentId],
          filter: typeof values.filter === "string" ? values.filter : undefined,
          orderBy: typeof values["order-by"] === "string" ? [values["order-by"]] : undefined,
          maxResults: max,
        });
        emit(io, { runs: page.items, next_page_token: page.nextPageToken }, () =>
          renderTable(
            ["RUN ID", "NAME", "STATUS", "STARTED", "METRICS"],
            page.items.map((r) => [
              r.info.runId,
              r.info.runName,
              r.info.status,
              formatTime(r.info.startTime),
              shortMetrics(r),
            ]),
          ),
        );
        return 0;
      });
    }
    if (verb === "show" && ref !== undefined) {
      return withPlatform(values, async (platform) => {
        const run = await platform.tracking.runs.get(ref);
        emit(io, { run }, () =>
          [
            `Run ${run.info.runId}: ${run.info.runName}`,
            `  experiment:  ${run.info.experimentId}`,
            `  status:      ${run.info.status} (${run.info.lifecycleStage})`,
            `  user:        ${run.info.userId}`,
            `  started:     ${formatTime(run.info.startTime)}`,
            `  ended:       ${formatTime(run.info.endTime)}`,
            `  artifacts:   ${run.info.artifactUri}`,
            "",
            renderTable(
              ["METRIC", "VALUE", "STEP"],
              run.data.metrics.map((m) => [m.key, formatNumber(m.value), String(m.step)]),
            ),
            "",
            renderTable(
              ["PARAM", "VALUE"],
              run.data.params.map((p) => [p.key, p.value]),
            ),
            "",
            renderTable(
              ["TAG", "VALUE"],
              run.data.tags.map((t) => [t.key, t.value]),
            ),
          ].join("\n"),
        );
        return 0;
      });
    }
    throw invalidArgument(
      "command",
      `expected 'list' or 'show <run-id>'. Usage:\n${runsCommand.usage}`,
    );
  },
};
