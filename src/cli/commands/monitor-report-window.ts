import { rename, writeFile } from "node:fs/promises";
import { invalidArgument } from "../../core/errors.ts";
import { parseTime } from "../../http/monitoring/parse-time.ts";
import { createLabelStore } from "../../monitoring/labels/create-label-store.ts";
import {
  monitorWindow,
  type WindowReference,
} from "../../monitoring/prediction-window/monitor-window.ts";
import { profileToJson } from "../../monitoring/profile/profile-json.ts";
import { loadReferenceProfile } from "../../monitoring/reference/reference-profile.ts";
import { rowsByConcern } from "../../monitoring/report/monitoring-report.ts";
import { readMonitoringTable } from "../../monitoring/report/read-monitoring-table.ts";
import { renderReportHtml } from "../../monitoring/report/render-report-html.ts";
import { createPredictionLogReader } from "../../serving/prediction-log/create-prediction-log-reader.ts";
import { checkDeploymentName } from "../../serving/prediction-log/segment-key.ts";
import { type OptionValues, withPlatform } from "../command.ts";
import { type CommandIO, emit } from "../output.ts";
import { createProgressBar } from "../progress-bar.ts";
import { formatNumber, renderTable } from "../table.ts";
import { driftOptions, listFlag, numberFlag, required, windowOf } from "./monitor-flags.ts";

export const REPORT_WINDOW_USAGE = `plinth monitor report --deployment D --from TIME --to TIME [--reference FILE [--label C]]
             [--model NAME] [--alias champion] [--threshold F] [--slice FEATURE] [--window 1h]
             [--prediction OUTPUT] [--categorical C1,C2] [--out report.html] [--json]

report --deployment: the prediction log's window [--from, --to) (epoch ms or ISO-8601) against
--reference (a file; with --label its labelled scores fit CBPE) or, by default, the reference
profile kept with the --alias (default champion) version of --model (default: the logged model),
with the delayed labels joined: drift, data quality, label coverage and performance per --window.`;

/** `plinth monitor report --deployment D --from --to`: a log window as current data. */
export async function reportWindow(values: OptionValues, io: CommandIO): Promise<number> {
  const deployment = checkDeploymentName(values.deployment);
  const from = parseTime(required(values, "from", "the window start"), "from");
  const to = parseTime(required(values, "to", "the window end"), "to");
  if (to <= from) throw invalidArgument("to", "must be after --from");
  if (values.current !== undefined)
    throw invalidArgument("current", "is the log window with --deployment; leave it out");
  const threshold = numberFlag(values.threshold, "threshold", 0.5);
  if (!(threshold >= 0 && threshold <= 1))
    throw invalidArgument("threshold", "must be from 0 to 1");
  const windowMs = values.window === undefined ? 3_600_000 : windowOf(values.window);
  const categorical =
    typeof values.categorical === "string" ? listFlag(values.categorical) : undefined;
  const drift = driftOptions(values);
  return withPlatform(values, async (platform) => {
    const bar = createProgressBar({ label: "monitor report", total: 3, enabled: !io.json });
    const predictions = createPredictionLogReader(platform.artifacts);
    const first = (await predictions.read({ deployment, from, to }))[0];
    let reference: WindowReference;
    if (first === undefined) {
      // An empty window is "no data" whatever the reference: nothing to compare.
      reference = { profile: { rows: 0, features: [] }, name: "none" };
    } else if (typeof values.reference === "string") {
      const table = await readMonitoringTable(values.reference, {
        ...(categorical === undefined ? {} : { categorical }),
        ...(typeof values.label === "string" ? { label: values.label } : {}),
      });
      reference = {
        table,
        name: values.reference,
        ...(typeof values.prediction === "string" ? { prediction: values.prediction } : {}),
      };
    } else {
      const first = (await predictions.read({ deployment, from, to }))[0];
      const model =
        typeof values.model === "string" ? values.model : (first?.modelName ?? deployment);
      const alias = typeof values.alias === "string" ? values.alias : "champion";
      const stored = await loadReferenceProfile(platform.artifacts, platform.registry, model, {
        alias,
      });
      reference = {
        profile: stored.profile,
        name: `${model}@${alias} (version ${stored.version}) training set`,
      };
    }
    bar.update(1, "reference");
    const result = await monitorWindow({
      deployment,
      from,
      to,
      reference,
      predictions,
      labels: createLabelStore(platform.metadata),
      threshold,
      windowMs,
      drift,
      ...(typeof values.slice === "string" ? { slice: values.slice } : {}),
      ...(typeof values.prediction === "string" ? { prediction: values.prediction } : {}),
      ...(categorical === undefined ? {} : { categorical }),
    });
    bar.update(2, "window");
    if (typeof values.out === "string" && result.report !== null) {
      const temporary = `${values.out}.tmp-${process.pid}-${Date.now()}`;
      await writeFile(temporary, renderReportHtml(result.report));
      await rename(temporary, values.out);
    }
    bar.update(3);
    bar.finish();
    const document = {
      ...result,
      profile: result.profile === null ? null : profileToJson(result.profile),
      hours: result.hours.map((h) => ({ start: h.start, rows: h.rows })),
    };
    emit(io, document, () => {
      const span = `${deployment} ${new Date(from).toISOString()} .. ${new Date(to).toISOString()}`;
      if (result.status === "no data") return `${span}: no data. ${result.notes.join(". ")}`;
      const report = result.report!;
      const d = report.drift;
      const rows = rowsByConcern(d).map((r) => [
        r.column,
        r.stattest ?? "—",
        r.score === null ? "—" : formatNumber(r.score),
        r.status === "skipped" ? `skipped: ${r.reason}` : r.drifted ? "DRIFT" : "ok",
      ]);
      const perf = result.performance?.overall ?? [];
      return [
        `${span}: ${result.rows} predictions in ${result.hours.length} hours, against ${report.reference.name}`,
        `${d.datasetDrift ? "Dataset drift" : "No dataset drift"}: ${d.drifted} of ${d.tested} tested columns drifted`,
        renderTable(["column", "test", "score", "result"], rows),
        `${report.quality.length} data quality findings`,
        `Labels: ${result.labels.matched} of ${result.rows} (${formatNumber((result.labels.coverage ?? 0) * 100)}%), ${result.labels.unmatched} unmatched`,
        renderTable(
          ["window", "rows", "labelled", "auc", "estimated auc", "precision", "recall"],
          perf.map((w) => [
            new Date(w.start).toISOString(),
            String(w.rows),
            String(w.labelled),
            w.metrics.auc === null ? "—" : formatNumber(w.metrics.auc),
            w.estimated?.auc == null ? "—" : formatNumber(w.estimated.auc),
            w.metrics.precision === null ? "—" : formatNumber(w.metrics.precision),
            w.metrics.recall === null ? "—" : formatNumber(w.metrics.recall),
          ]),
        ),
        ...result.notes,
        ...(typeof values.out === "string" ? [`Wrote ${values.out}`] : []),
      ].join("\n");
    });
    return 0;
  });
}
