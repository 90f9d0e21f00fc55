import { invalidArgument } from "../../core/errors.ts";
import type { Command } from "../command.ts";
import { featuresGetVerb } from "./features-get.ts";
import { featuresMaterializeVerb } from "./features-materialize.ts";

/** The verbs of `plinth features`, one line each; every verb lives in features-<verb>.ts. */
const VERBS: Readonly<Record<string, Command>> = {
  materialize: featuresMaterializeVerb,
  get: featuresGetVerb,
};

export const featuresCommand: Command = {
  summary: "The feature store: materialize views online and read online features",
  usage: Object.values(VERBS)
    .map((verb) => verb.usage)
    .join("\n\n"),
  options: Object.assign({}, ...Object.values(VERBS).map((verb) => verb.options)),
  async run({ positionals, values, io }) {
    const [name, ...rest] = positionals;
    const verb = name === undefined ? undefined : VERBS[name];
    if (verb === undefined) {
      throw invalidArgument(
        "features",
        `expected one of ${Object.keys(VERBS).join(", ")}, got '${name ?? ""}'. Run 'plinth features --help'`,
      );
    }
    return verb.run({ positionals: rest, values, io });
  },
};
