import type { ColumnDrift } from "../drift/column-drift.ts";
import type { PerformanceReport } from "../performance/compute-performance.ts";
import type { QualityFinding } from "../quality/check-data-quality.ts";
import { escapeHtml } from "./escape-html.ts";
import { type MonitoringReport, rowsByConcern } from "./monitoring-report.ts";
import { distributionChart, driftScoreChart, formatNumber, lineChart } from "./svg-plots.ts";

/**
 * The report as one self-contained HTML page: inline CSS and SVG only, and a Content Security
 * Policy that forbids scripts and network access, so it opens from disk in any browser and
 * cannot run anything even if a string escaped the escaping. Sections: verdict, drift scores
 * and table, distributions of reference against current per column, quality findings, and
 * performance over time when the report has it.
 *
 * @example
 * writeFileSync("report.html", renderReportHtml(buildMonitoringReport({ reference, current })));
 */
export function renderReportHtml(report: MonitoringReport): string {
  const { drift } = report;
  const verdict = drift.datasetDrift
    ? `<p class="verdict drift">Dataset drift: ${drift.drifted} of ${drift.tested} tested columns drifted (${percent(drift.share)}, threshold ${percent(drift.driftShare)}).</p>`
    : `<p class="verdict ok">No dataset drift: ${drift.drifted} of ${drift.tested} tested columns drifted (${percent(drift.share)}, threshold ${percent(drift.driftShare)}).</p>`;
  const byColumn = new Map(drift.columns.map((r) => [r.column, r]));
  const distributions = report.distributions
    .map((d) => {
      const row = byColumn.get(d.column);
      const badge = row?.drifted ? '<span class="badge drift">drift</span>' : "";
      return `<figure class="distribution"><figcaption>${escapeHtml(d.column)} ${badge}</figcaption>${distributionChart(d)}</figure>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(report.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(report.title)}</h1>
<p class="meta">Reference <b>${escapeHtml(report.reference.name)}</b> (${report.reference.rows} rows) against current <b>${escapeHtml(report.current.name)}</b> (${report.current.rows} rows), ${escapeHtml(report.generatedAt)}.</p>
${verdict}
<h2>Drift scores</h2>
${driftScoreChart(drift.columns)}
${driftTable(rowsByConcern(drift))}
<h2>Distributions <span class="legend"><i class="ref"></i> reference <i class="cur"></i> current</span></h2>
<div class="grid">${distributions}</div>
<h2>Data quality</h2>
${qualityTable(report.quality)}
${report.performance === null ? "" : performanceSection(report.performance)}
</body>
</html>
`;
}

function driftTable(rows: readonly ColumnDrift[]): string {
  const body = rows
    .map((r) => {
      const dropped =
        r.reference.missing + r.reference.infinite + r.current.missing + r.current.infinite;
      const score = r.score === null ? "—" : formatNumber(r.score);
      const state =
        r.status === "skipped" ? `skipped: ${r.reason ?? ""}` : r.drifted ? "drift" : "ok";
      return `<tr class="${r.drifted ? "drift" : r.status}"><td>${escapeHtml(r.column)}</td><td>${r.role}</td><td>${r.kind}</td><td>${r.stattest ?? "—"}</td><td>${score}</td><td>${r.threshold ?? "—"}</td><td>${escapeHtml(state)}</td><td>${r.reference.used} / ${r.current.used}</td><td>${dropped}</td></tr>`;
    })
    .join("\n");
  return `<table><thead><tr><th>column</th><th>role</th><th>kind</th><th>test</th><th>score</th><th>threshold</th><th>result</th><th>rows used (ref / cur)</th><th>NaN/inf dropped</th></tr></thead><tbody>
${body}
</tbody></table>`;
}

function qualityTable(findings: readonly QualityFinding[]): string {
  if (findings.length === 0) return '<p class="ok">No data quality findings.</p>';
  const body = findings
    .map((f) => {
      const evidence = Object.entries(f.evidence)
        .map(
          ([k, v]) =>
            `${escapeHtml(k)}: ${escapeHtml(Array.isArray(v) ? v.join(", ") : typeof v === "number" ? formatNumber(v) : String(v))}`,
        )
        .join("; ");
      return `<tr class="${f.severity}"><td>${f.severity}</td><td>${f.check}</td><td>${escapeHtml(f.column ?? "—")}</td><td>${escapeHtml(f.message)}</td><td class="evidence">${evidence}</td></tr>`;
    })
    .join("\n");
  return `<table><thead><tr><th>severity</th><th>check</th><th>column</th><th>finding</th><th>evidence</th></tr></thead><tbody>
${body}
</tbody></table>`;
}

function performanceSection(performance: PerformanceReport): string {
  const windows = performance.overall;
  const labels = windows.map((w) => new Date(w.start).toISOString().slice(5, 16).replace("T", " "));
  const series =
    performance.task === "binary"
      ? [
          { name: "AUC (realised)", values: windows.map((w) => w.metrics.auc) },
          {
            name: "AUC (CBPE estimate)",
            values: windows.map((w) => w.estimated?.auc ?? null),
            dashed: true,
          },
          { name: "label coverage", values: windows.map((w) => w.labelCoverage) },
          { name: "ECE", values: windows.map((w) => w.metrics.ece) },
        ]
      : [{ name: "label coverage", values: windows.map((w) => w.labelCoverage) }];
  const rows = windows
    .map((w, i) => {
      const m = w.metrics;
      const cells =
        performance.task === "binary"
          ? [m.auc, w.estimated?.auc ?? null, m.logLoss, m.ece, m.precision, m.recall]
          : [m.rmse, m.mae];
      return `<tr><td>${escapeHtml(labels[i]!)}</td><td>${w.rows}</td><td>${w.labelCoverage === null ? "—" : percent(w.labelCoverage)}</td>${cells.map((c) => `<td>${c === null ? "—" : formatNumber(c)}</td>`).join("")}<td>${escapeHtml(w.notes.join("; "))}</td></tr>`;
    })
    .join("\n");
  const heads =
    performance.task === "binary"
      ? "<th>AUC</th><th>AUC (est.)</th><th>log loss</th><th>ECE</th><th>precision</th><th>recall</th>"
      : "<th>RMSE</th><th>MAE</th>";
  return `<h2>Performance over time</h2>
<p class="meta">Windows of ${formatNumber(performance.windowMs / 60_000)} minutes; threshold ${performance.threshold}${performance.rowsWithoutTimestamp > 0 ? `; ${performance.rowsWithoutTimestamp} rows had no timestamp` : ""}.</p>
${lineChart(labels, series, "performance")}
<table><thead><tr><th>window (UTC)</th><th>rows</th><th>labelled</th>${heads}<th>notes</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555}.verdict{font-weight:600;padding:8px 12px;border-radius:4px}.verdict.drift{background:#fde2e1}.verdict.ok{background:#e3f4e1}
table{border-collapse:collapse;width:100%;margin-top:8px;font-size:13px}th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
tr.drift td,tr.error td{background:#fff3f2}tr.skipped td{color:#777}td.evidence{font-size:12px;color:#444}
.grid{display:flex;flex-wrap:wrap;gap:12px}figure.distribution{margin:0;border:1px solid #eee;padding:6px}figcaption{font-weight:600;font-size:13px;max-width:320px;overflow-wrap:anywhere}
.badge{font-size:11px;padding:1px 5px;border-radius:3px}.badge.drift{background:#d62728;color:#fff}
.legend{font-size:12px;font-weight:normal}.legend i{display:inline-block;width:10px;height:10px;margin:0 3px 0 10px}.legend .ref{background:#4c78a8}.legend .cur{background:#f58518}
svg .label{font-size:12px}svg .axis,svg .tick{font-size:10px;fill:#555}
`;
