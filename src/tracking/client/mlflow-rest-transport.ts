import { setTimeout as sleep } from "node:timers/promises";
import { PlinthError } from "../../core/errors.ts";
import type { KeyValue, Metric, Run, RunInfo } from "../types.ts";
import type { TrackingTransport } from "./tracking-transport.ts";

export interface RestTransportOptions {
  /** The server's base URL, e.g. http://127.0.0.1:5000 (plinth or MLflow). */
  url: string;
  /** Attempts for a call answered 429/5xx or not answered at all (default 5, as MLflow's client). */
  maxAttempts?: number;
  /** Per-request timeout in milliseconds (default 120 s, as MLflow's client). */
  timeoutMs?: number;
}

type Wire = Record<string, unknown>;

/**
 * The transport for a remote server that speaks the MLflow REST API: plinth's own, or
 * MLflow's. Retries transient failures with exponential backoff; every call it retries is
 * idempotent (a re-sent batch inserts nothing twice).
 */
export function createMlflowRestTransport(options: RestTransportOptions): TrackingTransport {
  const base = `${options.url.replace(/\/+$/, "")}/api/2.0/mlflow`;
  const maxAttempts = options.maxAttempts ?? 5;
  const timeoutMs = options.timeoutMs ?? 120_000;

  async function call(method: "GET" | "POST", path: string, body: Wire): Promise<Wire> {
    let lastProblem = "";
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let response: Response;
      try {
        const url =
          method === "GET"
            ? `${base}${path}?${new URLSearchParams(body as Record<string, string>)}`
            : base + path;
        response = await fetch(url, {
          method,
          headers: method === "GET" ? {} : { "content-type": "application/json" },
          body: method === "GET" ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        lastProblem = (error as Error).message;
        await sleep(100 * 2 ** (attempt - 1));
        continue;
      }
      const json = (await response.json().catch(() => ({}))) as Wire;
      if (response.ok) return json;
      lastProblem = `${response.status} ${String(json.error_code ?? "")}: ${String(json.message ?? "")}`;
      if (response.status !== 429 && response.status < 500) {
        throw new RemoteError(
          String(json.error_code ?? ""),
          `${method} ${path} failed: ${lastProblem}`,
        );
      }
      await sleep(100 * 2 ** (attempt - 1));
    }
    throw new PlinthError(
      "TRACKING_SERVER_ERROR",
      `${method} ${path} failed after ${maxAttempts} attempts: ${lastProblem}`,
    );
  }

  return {
    async ensureExperiment(name) {
      try {
        const found = await call("GET", "/experiments/get-by-name", { experiment_name: name });
        return String((found.experiment as Wire).experiment_id);
      } catch (error) {
        if (!(error instanceof RemoteError) || error.remoteCode !== "RESOURCE_DOES_NOT_EXIST")
          throw error;
      }
      try {
        return String((await call("POST", "/experiments/create", { name })).experiment_id);
      } catch (error) {
        if (!(error instanceof RemoteError) || error.remoteCode !== "RESOURCE_ALREADY_EXISTS")
          throw error;
        const found = await call("GET", "/experiments/get-by-name", { experiment_name: name });
        return String((found.experiment as Wire).experiment_id);
      }
    },
    async createRun(input) {
      const json = await call("POST", "/runs/create", {
        experiment_id: input.experimentId,
        run_name: input.runName,
        user_id: input.userId,
        start_time: Date.now(),
        tags: input.tags,
      });
      return runFromWire(json.run as Wire);
    },
    async logBatch(runId, batch) {
      await call("POST", "/runs/log-batch", {
        run_id: runId,
        metrics: batch.metrics?.map((m) => ({ ...m, value: finiteOrString(m.value) })),
        params: batch.params,
        tags: batch.tags,
      });
    },
    async finishRun(runId, status, endTime) {
      const json = await call("POST", "/runs/update", { run_id: runId, status, end_time: endTime });
      return runInfoFromWire(json.run_info as Wire);
    },
    async getRun(runId) {
      return runFromWire((await call("GET", "/runs/get", { run_id: runId })).run as Wire);
    },
  };
}

/** A remote server's typed refusal; `remoteCode` is its MLflow error_code. */
class RemoteError extends PlinthError {
  readonly remoteCode: string;
  constructor(remoteCode: string, message: string) {
    super("TRACKING_SERVER_ERROR", message);
    this.remoteCode = remoteCode;
  }
}

function finiteOrString(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

function runInfoFromWire(info: Wire): RunInfo {
  return {
    runId: String(info.run_id ?? info.run_uuid),
    experimentId: String(info.experiment_id),
    runName: String(info.run_name ?? ""),
    userId: String(info.user_id ?? ""),
    status: info.status as RunInfo["status"],
    startTime: Number(info.start_time),
    endTime: info.end_time === undefined ? undefined : Number(info.end_time),
    artifactUri: String(info.artifact_uri ?? ""),
    lifecycleStage: (info.lifecycle_stage ?? "active") as RunInfo["lifecycleStage"],
  };
}

function runFromWire(run: Wire): Run {
  const data = (run.data ?? {}) as { metrics?: Wire[]; params?: KeyValue[]; tags?: KeyValue[] };
  return {
    info: runInfoFromWire(run.info as Wire),
    data: {
      metrics: (data.metrics ?? []).map(
        (m): Metric => ({
          key: String(m.key),
          value: Number(m.value),
          timestamp: Number(m.timestamp),
          step: Number(m.step ?? 0),
        }),
      ),
      params: data.params ?? [],
      tags: data.tags ?? [],
    },
  };
}
