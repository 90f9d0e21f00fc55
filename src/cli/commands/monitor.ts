import { rename, writeFile } from "node:fs/promises";
import { invalidArgument } from "../../core/errors.ts";
import { STATTEST_NAMES } from "../../monitoring/drift/stattest.ts";
import { fitCbpe } from "../../monitoring/performance/cbpe.ts";
import {
  computePerformance,
  type PerformanceReport,
} from "../../monitoring/performance/compute-performance.ts";
import { profileColumns } from "../../monitoring/profile/profile-columns.ts";
import { profileToJson } from "../../monitoring/profile/profile-json.ts";
import { buildMonitoringReport, rowsByConcern } from "../../monitoring/report/monitoring-report.ts";
import {
  type MonitoringTable,
  readMonitoringTable,
} from "../../monitoring/report/read-monitoring-table.ts";
import { renderReportHtml } from "../../monitoring/report/render-report-html.ts";
import type { Command, OptionValues } from "../command.ts";
import { emit } from "../output.ts";
import { createProgressBar } from "../progress-bar.ts";
import { formatNumber, renderTable } from "../table.ts";
import { driftOptions, listFlag, numberFlag, required, windowOf } from "./monitor-flags.ts";
import { LABELS_USAGE, monitorLabels } from "./monitor-labels.ts";
import {
  MONITOR_LOOP_USAGE,
  MONITOR_SKEW_USAGE,
  monitorAlerts,
  monitorRun,
  monitorSkew,
} from "./monitor-loop.ts";
import { REPORT_WINDOW_USAGE, reportWindow } from "./monitor-report-window.ts";

const USAGE = `plinth monitor report --reference FILE --current FILE [--out report.html] [--json]
             [--categorical C1,C2] [--prediction COLUMN] [--label COLUMN --timestamp COLUMN]
             [--window 1h|30m|1d|MS] [--threshold F] [--task binary|regression]
             [--stattest NAME] [--stattest-for COL=NAME,...] [--drift-threshold F] [--drift-share F]
plinth monitor profile --data FILE --out profile.json [--categorical C1,C2] [--json]

report: drift of every column of --current against --reference (CSV, Parquet or Arrow), with
Evidently's test selection (K-S / chi-square / Z-test up to 1000 reference rows, normed
Wasserstein / Jensen-Shannon above) unless --stattest (all columns) or --stattest-for picks
one of ${STATTEST_NAMES.join(", ")}; data-quality findings; and, with --label and --timestamp,
performance per --window (default 1d) with CBPE estimates fitted on the reference's labels.
--out writes a self-contained HTML report; --json prints the full report document.
profile: writes the mergeable profile of a table (what a model version stores).
${LABELS_USAGE}
${REPORT_WINDOW_USAGE}

${MONITOR_LOOP_USAGE}
${MONITOR_SKEW_USAGE}`;

export const monitorCommand: Command = {
  summary: "Drift, data quality and performance reports over CSV/Parquet files; table profiles",
  usage: USAGE,
  options: {
    reference: { type: "string" },
    current: { type: "string" },
    data: { type: "string" },
    out: { type: "string" },
    categorical: { type: "string" },
    prediction: { type: "string" },
    label: { type: "string" },
    timestamp: { type: "string" },
    window: { type: "string" },
    threshold: { type: "string" },
    task: { type: "string" },
    stattest: { type: "string" },
    "stattest-for": { type: "string" },
    "drift-threshold": { type: "string" },
    "drift-share": { type: "string" },
    deployment: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    "request-id": { type: "string" },
    entity: { type: "string" },
    time: { type: "string" },
    "labelled-at": { type: "string" },
    slice: { type: "string" },
    model: { type: "string" },
    alias: { type: "string" },
    limit: { type: "string" },
    service: { type: "string" },
    sample: { type: "string" },
    tolerance: { type: "string" },
  },

  async run({ positionals, values, io }) {
    const [verb, ...rest] = positionals;
    if (verb === "labels") return monitorLabels(rest, values, io);
    if (verb === "report" && values.deployment !== undefined && rest.length === 0) {
      return reportWindow(values, io);
    }
    if (rest.length > 0) throw invalidArgument("monitor", `unexpected argument '${rest[0]}'`);
    if (verb === "profile") return profile(values, io);
    if (verb === "alerts") return monitorAlerts(values, io);
    if (verb === "run") return monitorRun(values, io);
    if (verb === "skew") return monitorSkew(values, io);
    if (verb !== "report") {
      throw invalidArgument(
        "monitor",
        `expected 'plinth monitor report', 'profile', 'alerts', 'run' or 'skew', got '${verb ?? ""}'. Usage:\n${USAGE}`,
      );
    }
    const referencePath = required(
      values,
      "reference",
      "the reference table (e.g. the training set)",
    );
    const currentPath = required(
      values,
      "current",
      "the table to check (e.g. a day of predictions)",
    );
    const drift = driftOptions(values);
    const windowMs = windowOf(values.window);
    const threshold = numberFlag(values.threshold, "threshold", 0.5);
    const task = values.task;
    if (task !== undefined && task !== "binary" && task !== "regression") {
      throw invalidArgument("task", `must be binary or regression, got '${String(task)}'`);
    }
    const tableOptions = {
      ...(typeof values.categorical === "string"
        ? { categorical: listFlag(values.categorical) }
        : {}),
      ...(typeof values.label === "string" ? { label: values.label } : {}),
      ...(typeof values.timestamp === "string" ? { timestamp: values.timestamp } : {}),
    };
    const prediction = typeof values.prediction === "string" ? values.prediction : undefined;
    const label = typeof values.label === "string";
    const timestamp = typeof values.timestamp === "string";
    if ((label || timestamp) && !(label && timestamp && prediction !== undefined)) {
      throw invalidArgument(
        "label",
        "performance needs --prediction, --label and --timestamp together",
      );
    }
    const bar = createProgressBar({ label: "monitor report", total: 4, enabled: !io.json });
    const reference = await readMonitoringTable(referencePath, tableOptions);
    bar.update(1, "read reference");
    const current = await readMonitoringTable(currentPath, tableOptions);
    bar.update(2, "read current");
    const performance = performanceOf(reference, current, {
      prediction,
      windowMs,
      threshold,
      task,
      values,
    });
    const report = buildMonitoringReport({
      reference: reference.columns,
      current: current.columns,
      referenceName: referencePath,
      currentName: currentPath,
      title: `Monitoring report: ${currentPath} against ${referencePath}`,
      ...(prediction === undefined ? {} : { prediction }),
      drift,
      ...(performance === null ? {} : { performance }),
    });
    bar.update(3, "drift, quality and performance");
    if (typeof values.out === "string") await writeAtomically(values.out, renderReportHtml(report));
    bar.update(4);
    bar.finish();
    emit(io, report, () => {
      const rows = rowsByConcern(report.drift).map((r) => [
        r.column,
        r.stattest ?? "—",
        r.score === null ? "—" : formatNumber(r.score),
        r.threshold === null ? "—" : String(r.threshold),
        r.status === "skipped" ? `skipped: ${r.reason}` : r.drifted ? "DRIFT" : "ok",
      ]);
      const d = report.drift;
      return [
        `${d.datasetDrift ? "Dataset drift" : "No dataset drift"}: ${d.drifted} of ${d.tested} tested columns drifted (share ${formatNumber(d.share)}, threshold ${d.driftShare})`,
        renderTable(["column", "test", "score", "threshold", "result"], rows),
        `${report.quality.length} data quality findings${report.quality.length === 0 ? "" : `: ${report.quality.map((f) => `${f.check}${f.column === null ? "" : ` (${f.column})`}`).join(", ")}`}`,
        ...(performance === null
          ? []
          : [
              `Performance: ${performance.overall.length} windows of ${formatNumber(windowMs / 60_000)} minutes`,
            ]),
        ...(typeof values.out === "string" ? [`Wrote ${values.out}`] : []),
      ].join("\n");
    });
    return 0;
  },
};

async function profile(
  values: OptionValues,
  io: Parameters<Command["run"]>[0]["io"],
): Promise<number> {
  const data = required(values, "data", "the table to profile");
  const out = required(values, "out", "where to write the profile JSON");
  const table = await readMonitoringTable(
    data,
    typeof values.categorical === "string" ? { categorical: listFlag(values.categorical) } : {},
  );
  const json = profileToJson(profileColumns(table.columns));
  await writeAtomically(out, `${JSON.stringify(json)}\n`);
  emit(
    io,
    { path: out, rows: json.rows, features: json.features.length },
    () => `Wrote the profile of ${json.rows} rows x ${json.features.length} columns to ${out}`,
  );
  return 0;
}

function performanceOf(
  reference: MonitoringTable,
  current: MonitoringTable,
  settings: {
    prediction: string | undefined;
    windowMs: number;
    threshold: number;
    task: string | boolean | undefined;
    values: OptionValues;
  },
): PerformanceReport | null {
  const { values } = settings;
  if (typeof values.label !== "string" || typeof values.timestamp !== "string") return null;
  const scoreOf = (table: MonitoringTable, side: string) => {
    const column = table.columns.find((c) => c.name === settings.prediction);
    if (column?.kind !== "numeric")
      throw invalidArgument(
        "prediction",
        `the ${side} has no numeric column '${settings.prediction}'`,
      );
    return column.values;
  };
  if (current.label === null)
    throw invalidArgument("label", `the current table has no column '${values.label}'`);
  if (current.timestamp === null)
    throw invalidArgument("timestamp", `the current table has no column '${values.timestamp}'`);
  const score = scoreOf(current, "current");
  const binaryLabels = current.label.every((y) => Number.isNaN(y) || y === 0 || y === 1);
  const task =
    settings.task === "regression" || settings.task === "binary"
      ? settings.task
      : binaryLabels
        ? "binary"
        : "regression";
  let cbpe: ReturnType<typeof fitCbpe> | undefined;
  if (task === "binary" && reference.label !== null) {
    const refScore = scoreOf(reference, "reference");
    const rows = [...reference.label.keys()].filter(
      (i) =>
        (reference.label![i] === 0 || reference.label![i] === 1) && Number.isFinite(refScore[i]!),
    );
    if (rows.length > 0)
      cbpe = fitCbpe(
        Float64Array.from(rows, (i) => refScore[i]!),
        Float64Array.from(rows, (i) => reference.label![i]!),
      );
  }
  return computePerformance({
    task,
    prediction: score,
    label: current.label,
    timestamp: current.timestamp,
    windowMs: settings.windowMs,
    threshold: settings.threshold,
    ...(cbpe === undefined ? {} : { cbpe }),
  });
}

/** Writes to a temporary name and renames, so a reader never sees half a file. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}
