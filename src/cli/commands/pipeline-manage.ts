import { invalidArgument } from "../../core/errors.ts";
import { loadPipelineFile } from "../../pipelines/definition/load-pipeline-file.ts";
import { loadPipelineModule } from "../../pipelines/definition/load-pipeline-module.ts";
import { resolveParams } from "../../pipelines/definition/param-spec.ts";
import { createMetadataRegisteredPipelineStore } from "../../pipelines/registered/metadata/create-metadata-registered-pipeline-store.ts";
import { createMetadataScheduleStore } from "../../pipelines/schedules/metadata/create-metadata-schedule-store.ts";
import { parseCron } from "../../pipelines/schedules/parse-cron.ts";
import { type OptionValues, withPlatform } from "../command.ts";
import { type CommandIO, emit } from "../output.ts";
import { formatTime, renderTable } from "../table.ts";
import { parseParamFlags } from "./pipeline-flags.ts";

/** `register`, `list`, `unregister` and `schedule add|list|remove`. */
export async function managePipelinesCommand(
  verb: "register" | "list" | "unregister" | "schedule",
  args: readonly string[],
  values: OptionValues,
  io: CommandIO,
): Promise<number> {
  const only = (n: number, names: readonly string[]) => {
    for (const [i, name] of names.entries()) {
      if (args[i] === undefined) throw invalidArgument(name, "is required");
    }
    if (args.length > n) throw invalidArgument("pipeline", `unexpected argument '${args[n]}'`);
    return args;
  };
  return withPlatform(values, async (platform) => {
    const registered = createMetadataRegisteredPipelineStore(platform.metadata);
    switch (verb) {
      case "register": {
        const [file] = only(1, ["file"]);
        const { pipeline, moduleUrl } = await loadPipelineFile(file as string);
        const entry = await registered.register({
          name: pipeline.name,
          module: moduleUrl,
          description: pipeline.description ?? "",
          params: pipeline.params,
        });
        emit(
          io,
          { name: entry.name, module: entry.module },
          () => `registered pipeline ${entry.name} -> ${entry.module}`,
        );
        return 0;
      }
      case "list": {
        only(0, []);
        const list = await registered.list();
        emit(
          io,
          list.map((p) => ({
            name: p.name,
            module: p.module,
            builtin: p.builtin,
            params: p.params,
          })),
          () =>
            renderTable(
              ["name", "module", "params"],
              list.map((p) => [p.name, p.module, Object.keys(p.params).join(", ")]),
            ),
        );
        return 0;
      }
      case "unregister": {
        const [name] = only(1, ["name"]);
        await registered.remove(name as string);
        emit(io, { name, removed: true }, () => `unregistered pipeline ${name}`);
        return 0;
      }
      case "schedule": {
        const [action, ...rest] = args;
        const schedules = createMetadataScheduleStore(platform.metadata);
        if (action === "add") {
          if (rest.length !== 1)
            throw invalidArgument("pipeline", "schedule add takes one pipeline name");
          if (typeof values.cron !== "string")
            throw invalidArgument("cron", "is required, e.g. --cron '0 3 * * *'");
          const name = rest[0] as string;
          const entry = await registered.get(name);
          const params = parseParamFlags(values.param as unknown as string[] | undefined);
          // Checked now, so a schedule never fires only to fail on its parameters.
          resolveParams((await loadPipelineModule(entry.module)).params, params);
          const timezone = typeof values.timezone === "string" ? values.timezone : null;
          const schedule = await schedules.add({
            pipelineName: name,
            cron: values.cron,
            timezone,
            params,
          });
          const next = parseCron(schedule.cron, schedule.timezone).nextRun();
          emit(
            io,
            { ...scheduleJson(schedule), next_run: next?.getTime() ?? null },
            () =>
              `schedule ${schedule.scheduleId}: ${name} at '${schedule.cron}'${timezone === null ? " (UTC)" : ` (${timezone})`}; next ${next?.toISOString() ?? "never"}. A running 'plinth server' fires it.`,
          );
          return 0;
        }
        if (action === "list") {
          if (rest.length > 0)
            throw invalidArgument("pipeline", `unexpected argument '${rest[0]}'`);
          const list = await schedules.list(
            typeof values.pipeline === "string" ? { pipelineName: values.pipeline } : {},
          );
          const rows = await Promise.all(
            list.map(async (s) => ({ s, last: (await schedules.fires(s.scheduleId, 1))[0] })),
          );
          emit(
            io,
            rows.map(({ s, last }) => ({
              ...scheduleJson(s),
              last_fire:
                last === undefined
                  ? null
                  : { fire_time: last.fireTime, run_id: last.runId, error: last.error },
            })),
            () =>
              renderTable(
                ["id", "pipeline", "cron", "zone", "params", "last fired", "last run"],
                rows.map(({ s, last }) => [
                  s.scheduleId,
                  s.pipelineName,
                  s.cron,
                  s.timezone ?? "UTC",
                  Object.entries(s.params)
                    .map(([k, v]) => `${k}=${String(v)}`)
                    .join(" "),
                  last === undefined ? "" : formatTime(last.fireTime),
                  last === undefined ? "" : (last.runId ?? `error: ${last.error}`),
                ]),
              ),
          );
          return 0;
        }
        if (action === "remove") {
          if (rest.length !== 1)
            throw invalidArgument("schedule_id", "schedule remove takes one schedule id");
          await schedules.remove(rest[0] as string);
          emit(io, { schedule_id: rest[0], removed: true }, () => `removed schedule ${rest[0]}`);
          return 0;
        }
        throw invalidArgument(
          "schedule",
          `expected 'add', 'list' or 'remove', got '${action ?? ""}'. Run 'plinth pipeline --help'`,
        );
      }
    }
  });
}

function scheduleJson(s: {
  scheduleId: string;
  pipelineName: string;
  cron: string;
  timezone: string | null;
  params: Readonly<Record<string, unknown>>;
  createdAt: number;
}) {
  return {
    schedule_id: s.scheduleId,
    pipeline: s.pipelineName,
    cron: s.cron,
    timezone: s.timezone,
    params: s.params,
    created_at: s.createdAt,
  };
}
