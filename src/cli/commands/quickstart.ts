import { invalidArgument } from "../../core/errors.ts";
import { QUICKSTART_MODEL, runQuickstart } from "../../quickstart/run-quickstart.ts";
import type { Command } from "../command.ts";
import { emit } from "../output.ts";
import { numberFlag } from "./monitor-flags.ts";

const USAGE = `plinth quickstart [--dir DIR] [--cards N] [--transactions N] [--rounds N] [--requests N] [--seed N] [--json]

Builds a fraud-detection demo project in DIR (default ./plinth-quickstart; it must be new or
empty) and runs plinth's loop on it, embedded, with the stores under DIR/.plinth (or --home): feature
definitions applied to the registry, materialized online, the built-in training pipeline
(point-in-time training set, GBDT, holdout gates, registry version, alias champion), an
online feature read, a deployment of fraud@champion serving --requests predictions into the
prediction log, and a monitoring report of that traffic against the training set
(DIR/monitoring-report.html). Prints what to run next.`;

export const quickstartCommand: Command = {
  summary:
    "Build a demo project and run the whole loop on it (features, training, serving, monitoring)",
  usage: USAGE,
  options: {
    dir: { type: "string" },
    cards: { type: "string" },
    transactions: { type: "string" },
    rounds: { type: "string" },
    requests: { type: "string" },
    seed: { type: "string" },
  },
  async run({ positionals, values, io }) {
    if (positionals.length > 0) {
      throw invalidArgument("quickstart", `unexpected argument '${positionals[0]}'`);
    }
    const count = (name: string, fallback: number, max: number) => {
      const n = numberFlag(values[name], name, fallback);
      if (!Number.isInteger(n) || n < 1 || n > max) {
        throw invalidArgument(name, `must be an integer from 1 to ${max}, got ${n}`);
      }
      return n;
    };
    const dir = typeof values.dir === "string" ? values.dir : "plinth-quickstart";
    const result = await runQuickstart({
      dir,
      home: typeof values.home === "string" ? values.home : undefined,
      cards: count("cards", 500, 1_000_000),
      transactions: count("transactions", 20_000, 10_000_000),
      rounds: count("rounds", 100, 10_000),
      requests: count("requests", 1000, 1_000_000),
      seed: count("seed", 7, 2 ** 31),
      onStage: io.json
        ? undefined
        : (e) => {
            if (e.state === "done") io.stdout(`✓ ${e.stage.padEnd(12)} ${e.detail}  (${e.ms} ms)`);
          },
    });
    emit(io, result, () =>
      [
        "",
        `Done. The project is in ${result.dir}; its stores are in ${result.home}. Next:`,
        `  npx plinth server --home ${result.home}                     # MLflow-compatible API on :5000`,
        `  npx plinth models show ${QUICKSTART_MODEL} --home ${result.home}`,
        `  npx plinth features get --home ${result.home} \\`,
        `      --service ${result.featureService} --entity card_id=7 --request amount=480`,
        `  npx plinth pipeline show ${result.model.pipelineRunId} --home ${result.home}`,
        `  npx plinth serve --home ${result.home}                      # then POST /api/deployments/fraud/predict`,
        `  open ${result.monitoring.report}`,
      ].join("\n"),
    );
    return 0;
  },
};
