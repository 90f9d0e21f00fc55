import { invalidArgument } from "../../core/errors.ts";
import type { Command } from "../command.ts";
import { inspectPipelineCommand } from "./pipeline-inspect.ts";
import { managePipelinesCommand } from "./pipeline-manage.ts";
import { runPipelineCommand } from "./pipeline-run.ts";

export const pipelineCommand: Command = {
  summary: "Run pipelines (typed DAGs of cached steps), schedule them, inspect their runs",
  usage: `plinth pipeline run PIPELINE [--param KEY=VALUE]... [--concurrency N] [--resume RUN_ID]
                         [--experiment NAME] [--queue NAME [--redis URL]] [--json]
plinth pipeline runs [--pipeline NAME] [--limit N] [--json]
plinth pipeline show RUN_ID [--json]
plinth pipeline logs RUN_ID [--step STEP] [--json]
plinth pipeline cancel RUN_ID [--json]
plinth pipeline lineage MODEL VERSION [--json]
plinth pipeline register FILE | list | unregister NAME [--json]
plinth pipeline schedule add NAME --cron EXPR [--timezone ZONE] [--param KEY=VALUE]... [--json]
plinth pipeline schedule list [--pipeline NAME] [--json]
plinth pipeline schedule remove SCHEDULE_ID [--json]

PIPELINE is a module file (its default export is definePipeline({...})), builtin:<name>
(builtin:training is the training pipeline), or the name of a registered pipeline.

run        runs the steps in dependency order, N at a time (default 4), reusing the outputs of
           steps whose code, inputs and params match an earlier successful run. --resume
           continues a failed, cancelled or killed run from its finished steps. --queue runs the
           steps as jobs on a Redis queue that 'plinth worker' processes (default: the
           configured executor, PLINTH_PIPELINE_QUEUE). Ctrl-C cancels cleanly. Exit code 0
           when the run succeeded, 1 when a step failed, 130 when cancelled.
runs       lists pipeline runs, newest first.
show       prints one run's steps: status, attempts, duration, output hashes or error.
logs       prints the log lines the steps wrote (ctx.log), failed attempts included.
cancel     stops a run from any process: the process driving it stops within a second; a run
           whose process was killed is marked cancelled at once.
lineage    traces a model version back through the pipeline run that registered it.
register   stores FILE's pipeline under its name, so 'plinth server' can run it by name
           (trigger API, schedules); the server and any workers must read FILE at that path.
schedule   cron schedules, held by every running 'plinth server' (each tick fires once however
           many servers run). Five fields, or six with seconds first; UTC unless --timezone.`,
  options: {
    param: { type: "string", multiple: true },
    concurrency: { type: "string" },
    resume: { type: "string" },
    experiment: { type: "string" },
    pipeline: { type: "string" },
    limit: { type: "string" },
    step: { type: "string" },
    queue: { type: "string" },
    redis: { type: "string" },
    cron: { type: "string" },
    timezone: { type: "string" },
  },

  async run({ positionals, values, io }) {
    const [verb, ...rest] = positionals;
    switch (verb) {
      case "run":
        return runPipelineCommand(rest, values, io);
      case "runs":
      case "show":
      case "logs":
      case "cancel":
      case "lineage":
        return inspectPipelineCommand(verb, rest, values, io);
      case "register":
      case "list":
      case "unregister":
      case "schedule":
        return managePipelinesCommand(verb, rest, values, io);
      default:
        throw invalidArgument(
          "pipeline",
          `expected run, runs, show, logs, cancel, lineage, register, list, unregister or schedule; got '${verb ?? ""}'. Run 'plinth pipeline --help'`,
        );
    }
  },
};
