import { invalidArgument, isPlinthError } from "../../core/errors.ts";
import type { Platform } from "../../platform.ts";
import type { Experiment, ViewType } from "../../tracking/types.ts";
import { type Command, withPlatform } from "../command.ts";
import { emit } from "../output.ts";
import { formatTime, renderTable } from "../table.ts";

/** An experiment by id (all digits) or by name. */
export async function findExperiment(platform: Platform, ref: string): Promise<Experiment> {
  if (/^\d+$/.test(ref)) {
    try {
      return await platform.tracking.experiments.get(ref);
    } catch (error) {
      if (!isPlinthError(error, "TRACKING_EXPERIMENT_NOT_FOUND")) throw error;
    }
  }
  return platform.tracking.experiments.getByName(ref);
}

export const experimentsCommand: Command = {
  summary: "List experiments, or show one",
  usage: `plinth experiments list [--all] [--filter F] [--json]
plinth experiments show <id-or-name> [--json]`,
  options: { all: { type: "boolean", default: false }, filter: { type: "string" } },

  async run({ positionals, values, io }) {
    const [verb, ref] = positionals;
    if (verb === "list") {
      return withPlatform(values, async (platform) => {
        const view: ViewType = values.all === true ? "ALL" : "ACTIVE_ONLY";
        const page = await platform.tracking.experiments.search({
          viewType: view,
          filter: typeof values.filter === "string" ? values.filter : undefined,
        });
        emit(io, { experiments: page.items }, () =>
          renderTable(
            ["ID", "NAME", "STAGE", "CREATED", "ARTIFACT LOCATION"],
            page.items.map((e) => [
              e.experimentId,
              e.name,
              e.lifecycleStage,
              formatTime(e.creationTime),
              e.artifactLocation,
            ]),
          ),
        );
        return 0;
      });
    }
    if (verb === "show" && ref !== undefined) {
      return withPlatform(values, async (platform) => {
        const e = await findExperiment(platform, ref);
        const runs = await platform.tracking.runs.search({
          experimentIds: [e.experimentId],
          maxResults: 1,
        });
        emit(io, { experiment: e }, () =>
          [
            `Experiment ${e.experimentId}: ${e.name}`,
            `  stage:              ${e.lifecycleStage}`,
            `  artifact location:  ${e.artifactLocation}`,
            `  created:            ${formatTime(e.creationTime)}`,
            `  last updated:       ${formatTime(e.lastUpdateTime)}`,
            `  latest run:         ${runs.items[0]?.info.runId ?? "(none)"}`,
            ...e.tags.map((t) => `  tag ${t.key} = ${t.value}`),
          ].join("\n"),
        );
        return 0;
      });
    }
    throw invalidArgument(
      "command",
      `expected 'list' or 'show <id-or-name>'. Usage:\n${experimentsCommand.usage}`,
    );
  },
};
