import { invalidArgument } from "../../core/errors.ts";
import type {
  MaterializationProgress,
  ViewMaterialization,
} from "../../features/materialization/materialize-views.ts";
import { parseInputValue } from "../../features/online/parse-input-value.ts";
import type { OptionValues } from "../command.ts";
import { type CommandIO, emit } from "../output.ts";
import { createProgressBar, type ProgressBar } from "../progress-bar.ts";
import { formatTime, renderTable } from "../table.ts";
import type { FeaturesVerb } from "./features.ts";
import { withFeatureStore } from "./with-feature-store.ts";

/** `plinth features materialize`: copy the latest offline rows into the online store. */
export const featuresMaterializeVerb: FeaturesVerb = {
  usage: `plinth features materialize --start T --end T [--views a,b] [--module features.ts] [--json]
plinth features materialize --incremental [--end T] [--views a,b] [--module features.ts] [--json]

materialize  copies, per view, the latest row of every entity with an event time in the window
             (no earlier than end - ttl) from the offline source into the online store, and
             records the view's watermark. --incremental starts each view at its watermark; --end
             defaults to now there. T is ISO-8601 (UTC when it has no zone) or 'now'. Running a
             window twice changes nothing; a failed run leaves the watermarks where they were.`,
  options: {
    start: { type: "string" },
    end: { type: "string" },
    incremental: { type: "boolean", default: false },
    views: { type: "string" },
    module: { type: "string" },
  },
  async run(positionals, values, io) {
    if (positionals.length > 0)
      throw invalidArgument("materialize", `unexpected argument '${positionals[0]}'`);
    const incremental = values.incremental === true;
    const views = parseViews(values.views);
    if (incremental && values.start !== undefined) {
      throw invalidArgument(
        "start",
        "--incremental starts at each view's watermark; drop --start or --incremental",
      );
    }
    if (!incremental && (values.start === undefined || values.end === undefined)) {
      throw invalidArgument(
        values.start === undefined ? "start" : "end",
        "is required: give --start T --end T, or --incremental [--end T]",
      );
    }
    const end = values.end === undefined ? new Date() : parseTime(values.end, "end");
    const start = incremental ? undefined : parseTime(values.start, "start");
    const progress = createProgress(io);
    const options = { ...(views === undefined ? {} : { views }), onProgress: progress.update };
    let results: ViewMaterialization[];
    try {
      results = await withFeatureStore(values, (store) =>
        start === undefined
          ? store.materializeIncremental(end, options)
          : store.materialize({ start, end }, options),
      );
    } finally {
      progress.finish();
    }
    emit(
      io,
      {
        views: results.map((r) => ({
          view: r.view,
          start: r.startMs === null ? null : new Date(r.startMs).toISOString(),
          end: new Date(r.endMs).toISOString(),
          rows_read: r.rowsRead,
          rows_written: r.rowsWritten,
          duration_ms: r.durationMs,
        })),
      },
      () =>
        renderTable(
          ["view", "from", "to", "entities", "written", "ms"],
          results.map((r) => [
            r.view,
            r.startMs === null ? "(earliest)" : formatTime(r.startMs),
            formatTime(r.endMs),
            String(r.rowsRead),
            String(r.rowsWritten),
            String(r.durationMs),
          ]),
        ),
    );
    return 0;
  },
};

function parseViews(value: OptionValues[string]): string[] | undefined {
  if (value === undefined) return undefined;
  const views = String(value)
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
  if (views.length === 0)
    throw invalidArgument(
      "views",
      "must name at least one feature view, e.g. --views driver_stats",
    );
  return views;
}

function parseTime(value: OptionValues[string], flag: string): Date {
  if (value === "now") return new Date();
  const parsed = typeof value === "string" ? parseInputValue("timestamp", value) : null;
  if (!(parsed instanceof Date)) {
    throw invalidArgument(
      flag,
      `expected an ISO-8601 time such as 2024-05-01T00:00:00Z or 'now', got '${String(value)}'`,
    );
  }
  return parsed;
}

/** One bar per view on stderr (none with --json). */
function createProgress(io: CommandIO): {
  update: (p: MaterializationProgress) => void;
  finish: () => void;
} {
  let bar: ProgressBar | undefined;
  let current = "";
  return {
    update(p) {
      if (io.json) return;
      if (p.view !== current) {
        bar?.finish();
        current = p.view;
        bar = createProgressBar({ label: p.view, total: p.total });
      }
      bar?.update(p.done, "entities");
    },
    finish() {
      bar?.finish();
    },
  };
}
