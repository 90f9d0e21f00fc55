import { parseArgs } from "node:util";
import { invalidArgument } from "../core/errors.ts";
import { PLINTH_VERSION } from "../version.ts";
import { COMMON_OPTIONS, type Command } from "./command.ts";
import { datasetsCommand } from "./commands/datasets.ts";
import { experimentsCommand } from "./commands/experiments.ts";
import { featuresCommand } from "./commands/features.ts";
import { modelsCommand } from "./commands/models.ts";
import { monitorCommand } from "./commands/monitor.ts";
import { pipelineCommand } from "./commands/pipeline.ts";
import { quickstartCommand } from "./commands/quickstart.ts";
import { runsCommand } from "./commands/runs.ts";
import { serverCommand } from "./commands/server.ts";
import { trainCommand } from "./commands/train.ts";
import { workerCommand } from "./commands/worker.ts";
import { type CommandIO, reportError } from "./output.ts";

const COMMANDS: Readonly<Record<string, Command>> = {
  quickstart: quickstartCommand,
  server: serverCommand,
  experiments: experimentsCommand,
  runs: runsCommand,
  train: trainCommand,
  datasets: datasetsCommand,
  models: modelsCommand,
  pipeline: pipelineCommand,
  monitor: monitorCommand,
  features: featuresCommand,
  worker: workerCommand,
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    `plinth ${PLINTH_VERSION}: an end-to-end ML platform for TypeScript`,
    "",
    "Usage: plinth <command> [options]   (every command takes --json, --home DIR and --help)",
    "",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join("\n");
}

/**
 * The CLI: `plinth <noun> <verb> [options]`. Resolves to the exit code: 0 on success,
 * 2 for a usage or argument error, 1 for other typed errors, 70 for a bug.
 */
export async function main(
  argv: readonly string[],
  io: Omit<CommandIO, "json"> = {
    stdout: (t) => process.stdout.write(`${t}\n`),
    stderr: (t) => process.stderr.write(`${t}\n`),
  },
): Promise<number> {
  const json = argv.includes("--json");
  const out: CommandIO = { ...io, json };
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      io.stdout(help());
      return 0;
    }
    if (name === "--version") {
      io.stdout(json ? JSON.stringify({ version: PLINTH_VERSION }) : PLINTH_VERSION);
      return 0;
    }
    const command = COMMANDS[name];
    if (command === undefined) {
      throw invalidArgument(
        "command",
        `unknown command '${name}'. Run 'plinth --help' for the list`,
      );
    }
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: [...rest],
        options: { ...COMMON_OPTIONS, ...command.options },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw invalidArgument("options", `${(error as Error).message}. Usage:\n${command.usage}`);
    }
    if (parsed.values.help === true) {
      io.stdout(command.usage);
      return 0;
    }
    return await command.run({
      positionals: parsed.positionals,
      values: parsed.values as Record<string, string | boolean | undefined>,
      io: out,
    });
  } catch (error) {
    return reportError(out, error);
  }
}
