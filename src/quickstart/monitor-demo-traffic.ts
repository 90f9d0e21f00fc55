import { rename, writeFile } from "node:fs/promises";
import { createLabelStore } from "../monitoring/labels/create-label-store.ts";
import { monitorWindow } from "../monitoring/prediction-window/monitor-window.ts";
import { loadReferenceProfile } from "../monitoring/reference/reference-profile.ts";
import { renderReportHtml } from "../monitoring/report/render-report-html.ts";
import type { Platform } from "../platform.ts";
import { createPredictionLogReader } from "../serving/prediction-log/create-prediction-log-reader.ts";

/** What monitoring found in the demo traffic. */
export interface DemoMonitoring {
  readonly rows: number;
  readonly datasetDrift: boolean;
  readonly drifted: readonly string[];
  readonly tested: number;
  /** The HTML report. */
  readonly report: string;
}

/**
 * Monitors the demo traffic's window of the prediction log against the champion's training
 * set (the reference profile the training pipeline stored with the version), as
 * `plinth monitor report --deployment` does, and writes the HTML report to `out`.
 */
export async function monitorDemoTraffic(
  platform: Platform,
  options: { deployment: string; model: string; from: number; to: number; out: string },
): Promise<DemoMonitoring> {
  const stored = await loadReferenceProfile(platform.artifacts, platform.registry, options.model, {
    alias: "champion",
  });
  const result = await monitorWindow({
    deployment: options.deployment,
    from: options.from,
    to: options.to,
    reference: {
      profile: stored.profile,
      name: `${options.model}@champion (version ${stored.version}) training set`,
    },
    predictions: createPredictionLogReader(platform.artifacts),
    labels: createLabelStore(platform.metadata),
  });
  const report = result.report;
  if (report !== null) {
    const temporary = `${options.out}.tmp-${process.pid}`;
    await writeFile(temporary, renderReportHtml(report));
    await rename(temporary, options.out);
  }
  return {
    rows: result.rows,
    datasetDrift: report?.drift.datasetDrift ?? false,
    drifted: report?.drift.columns.filter((c) => c.drifted).map((c) => c.column) ?? [],
    tested: report?.drift.tested ?? 0,
    report: options.out,
  };
}
