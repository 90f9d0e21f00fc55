import type { PipelineRunRecord, StepRunRecord } from "../../pipelines/state/pipeline-run-types.ts";
import { formatTime, renderTable } from "../table.ts";

type RunWithSteps = PipelineRunRecord & { steps: readonly StepRunRecord[] };

/** The `--json` shape of a pipeline run with its steps. */
export function pipelineRunJson(run: RunWithSteps) {
  return {
    run_id: run.runId,
    pipeline: run.pipelineName,
    status: run.status,
    error: run.error,
    params: run.params,
    tracking_run_id: run.trackingRunId,
    resumed_from: run.resumedFrom,
    start_time: run.startTime,
    end_time: run.endTime,
    steps: run.steps.map((s) => ({
      step: s.step,
      status: s.status,
      attempts: s.attempts,
      cache_key: s.cacheKey,
      cached_from: s.cachedFrom,
      duration_ms: s.startTime === null || s.endTime === null ? null : s.endTime - s.startTime,
      outputs: s.outputs,
      error: s.error?.message ?? null,
      tracking_run_id: s.trackingRunId,
    })),
  };
}

/** A run's summary line and its steps as a table. */
export function renderPipelineRun(run: RunWithSteps): string {
  const rows = run.steps.map((s) => [
    s.step,
    s.status,
    String(s.attempts),
    s.startTime === null || s.endTime === null ? "" : `${s.endTime - s.startTime} ms`,
    s.status === "cached"
      ? `reused from ${s.cachedFrom}`
      : s.error !== null
        ? (s.error.message.split("\n")[0] ?? "")
        : Object.entries(s.outputs ?? {})
            .map(([name, o]) => `${name}=${o.sha256.slice(0, 12)}`)
            .join(" "),
  ]);
  return [
    `pipeline ${run.pipelineName} run ${run.runId}: ${run.status}${run.error === null ? "" : ` (${run.error})`}`,
    renderTable(["step", "status", "attempts", "duration", "outputs / detail"], rows),
  ].join("\n");
}

/** Runs as a table, newest first. */
export function renderPipelineRuns(runs: readonly PipelineRunRecord[]): string {
  return renderTable(
    ["run id", "pipeline", "status", "started", "resumed from"],
    runs.map((r) => [
      r.runId,
      r.pipelineName,
      r.status,
      formatTime(r.startTime),
      r.resumedFrom ?? "",
    ]),
  );
}
