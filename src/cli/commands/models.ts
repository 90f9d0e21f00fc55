import { invalidArgument } from "../../core/errors.ts";
import { type Command, withPlatform } from "../command.ts";
import { emit } from "../output.ts";
import { formatTime, renderTable } from "../table.ts";

export const modelsCommand: Command = {
  summary: "List registered models, or show one with its versions, aliases and history",
  usage: `plinth models list [--filter "name LIKE 'fraud%'"] [--json]
plinth models show <name> [--json]`,
  options: { filter: { type: "string" } },

  async run({ positionals, values, io }) {
    const [verb, name] = positionals;
    if (verb === "list") {
      return withPlatform(values, async (platform) => {
        const page = await platform.registry.models.search({
          filter: typeof values.filter === "string" ? values.filter : undefined,
          maxResults: 1000,
        });
        emit(io, { models: page.items }, () =>
          renderTable(
            ["NAME", "LATEST", "ALIASES", "UPDATED", "DESCRIPTION"],
            page.items.map((m) => [
              m.name,
              m.latestVersions.map((v) => `v${v.version} ${v.currentStage}`).join(", "),
              m.aliases.map((a) => `${a.alias}→v${a.version}`).join(", "),
              formatTime(m.lastUpdatedTimestamp),
              m.description,
            ]),
          ),
        );
        return 0;
      });
    }
    if (verb === "show" && name !== undefined) {
      return withPlatform(values, async (platform) => {
        const model = await platform.registry.models.get(name);
        const versions = await platform.registry.versions.search({
          filter: `name = '${name.replaceAll("'", "\\'")}'`,
        });
        const history = await platform.registry.history(name);
        emit(io, { model, versions: versions.items, history }, () =>
          [
            `Model ${model.name}`,
            `  description: ${model.description}`,
            `  updated:     ${formatTime(model.lastUpdatedTimestamp)}`,
            ...model.tags.map((t) => `  tag ${t.key} = ${t.value}`),
            "",
            renderTable(
              ["VERSION", "STAGE", "ALIASES", "RUN", "SOURCE", "CREATED"],
              versions.items.map((v) => [
                v.version,
                v.currentStage,
                model.aliases
                  .filter((a) => a.version === v.version)
                  .map((a) => a.alias)
                  .join(","),
                v.runId,
                v.source,
                formatTime(v.creationTimestamp),
              ]),
            ),
            "",
            renderTable(
              ["WHEN", "WHO", "WHAT", "VERSION"],
              history.map((h) => [formatTime(h.at), h.actor, h.action, h.version ?? ""]),
            ),
          ].join("\n"),
        );
        return 0;
      });
    }
    throw invalidArgument(
      "command",
      `expected 'list' or 'show <name>'. Usage:\n${modelsCommand.usage}`,
    );
  },
};
