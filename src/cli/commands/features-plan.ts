import { invalidArgument } from "../../core/errors.ts";
import { withPlatform } from "../command.ts";
import { emit } from "../output.ts";
import type { FeaturesVerb } from "./features.ts";
import { loadModuleOption } from "./features-module-option.ts";
import { renderChanges, summarizeChanges } from "./features-plan-render.ts";

/** `plinth features plan`: what apply would change, without changing anything. */
export const featuresPlanVerb: FeaturesVerb = {
  usage: `plinth features plan [--module features.ts] [--json]
        diffs the definitions the module exports against the registry: what would be added,
        changed (field by field) or removed, and which changes are breaking.`,
  options: { module: { type: "string" } },

  async run(args, values, io) {
    if (args.length > 0) throw invalidArgument("plan", `unexpected argument '${args[0]}'`);
    const { module, definitions } = await loadModuleOption(values);
    const plan = await withPlatform(values, (platform) =>
      platform.featureRegistry.plan(definitions),
    );
    emit(io, plan, () => {
      if (plan.changes.length === 0) {
        return `No changes: the registry (revision ${plan.baseRevision}) matches ${module}.`;
      }
      const next = plan.hasBreakingChanges
        ? "Breaking changes are refused unless you run 'plinth features apply --force', which makes them new versions."
        : `Run 'plinth features apply${values.module === undefined ? "" : ` --module ${module}`}' to apply.`;
      return [
        `Applying ${module} to the registry (revision ${plan.baseRevision}) would make ${summarizeChanges(plan.changes)}:`,
        "",
        renderChanges(plan.changes),
        "",
        next,
      ].join("\n");
    });
    return 0;
  },
};
