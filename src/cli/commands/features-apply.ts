import { invalidArgument } from "../../core/errors.ts";
import { withPlatform } from "../command.ts";
import { emit } from "../output.ts";
import { formatTime } from "../table.ts";
import type { FeaturesVerb } from "./features.ts";
import { actorOption, loadModuleOption } from "./features-module-option.ts";
import { renderChanges, summarizeChanges } from "./features-plan-render.ts";

/** `plinth features apply`: applies the module's definitions in one transaction. */
export const featuresApplyVerb: FeaturesVerb = {
  usage: `plinth features apply [--module features.ts] [--force] [--actor NAME] [--json]
        applies the plan in one transaction (all of it or none). Breaking changes are refused
        unless --force, which makes each a new version (view@v2) and keeps the old readable.`,
  options: {
    module: { type: "string" },
    force: { type: "boolean" },
    actor: { type: "string" },
  },

  async run(args, values, io) {
    if (args.length > 0) throw invalidArgument("apply", `unexpected argument '${args[0]}'`);
    const actor = actorOption(values);
    const { module, definitions } = await loadModuleOption(values);
    const result = await withPlatform(values, (platform) =>
      platform.featureRegistry.apply(definitions, {
        force: values.force === true,
        actor,
        module,
      }),
    );
    const { record } = result;
    emit(io, { applied: result.applied, ...record }, () =>
      result.applied
        ? [
            `Applied ${module} as revision ${record.revision} (${formatTime(record.at)} UTC, by ${record.actor}${record.forced ? ", forced" : ""}): ${summarizeChanges(record.changes)}.`,
            "",
            renderChanges(record.changes),
          ].join("\n")
        : `Nothing to apply: the registry (revision ${record.revision}) already matches ${module}.`,
    );
    return 0;
  },
};
