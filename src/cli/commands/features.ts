import { invalidArgument } from "../../core/errors.ts";
import { COMMON_OPTIONS, type Command, type OptionSpec, type OptionValues } from "../command.ts";
import type { CommandIO } from "../output.ts";
import { featuresApplyVerb } from "./features-apply.ts";
import { featuresDescribeVerb } from "./features-describe.ts";
import { featuresGetVerb } from "./features-get.ts";
import { featuresListVerb } from "./features-list.ts";
import { featuresMaterializeVerb } from "./features-materialize.ts";
import { featuresPlanVerb } from "./features-plan.ts";

/** One verb of `plinth features`, in its own file `features-<verb>.ts`. */
export interface FeaturesVerb {
  /** Its usage lines, for `plinth features --help`. */
  readonly usage: string;
  /** Its options besides the common --home, --json and --help. */
  readonly options: OptionSpec;
  /** Runs the verb on the positionals after it; resolves to the exit code. */
  run(args: string[], values: OptionValues, io: CommandIO): Promise<number>;
}

/** The verbs, one line each. */
const VERBS: Readonly<Record<string, FeaturesVerb>> = {
  plan: featuresPlanVerb,
  apply: featuresApplyVerb,
  list: featuresListVerb,
  describe: featuresDescribeVerb,
  materialize: featuresMaterializeVerb,
  get: featuresGetVerb,
};

/** Every verb's options: the command parses them all, then refuses the ones its verb lacks. */
const ALL_OPTIONS: OptionSpec = Object.assign({}, ...Object.values(VERBS).map((v) => v.options));

export const featuresCommand: Command = {
  summary:
    "The feature store: plan and apply definitions, list and describe them, materialize views online, read online features",
  usage: Object.values(VERBS)
    .map((v) => v.usage)
    .join("\n\n"),
  options: ALL_OPTIONS,

  async run({ positionals, values, io }) {
    const [name, ...rest] = positionals;
    const verb = name === undefined ? undefined : VERBS[name];
    if (verb === undefined) {
      throw invalidArgument(
        "features",
        `expected one of ${Object.keys(VERBS).join(", ")}, got '${name ?? ""}'. Run 'plinth features --help'`,
      );
    }
    for (const [option, value] of Object.entries(values)) {
      if (value === undefined || option in COMMON_OPTIONS || option in verb.options) continue;
      // parseArgs fills in another verb's defaults (a boolean flag's false): not given, so fine.
      if (value === ALL_OPTIONS[option]?.default) continue;
      throw invalidArgument(option, `--${option} does not apply to 'plinth features ${name}'`);
    }
    return verb.run(rest, values, io);
  },
};
