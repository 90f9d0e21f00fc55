import type { KeyValue, Metric, RunInfo, RunStatus } from "../types.ts";
import { LIMITS, validateKey, validateMetricValue, validateStringValue } from "../validation.ts";
import type { TrackingTransport } from "./tracking-transport.ts";

export interface TrackingClientOptions {
  /** Embedded (`createEmbeddedTransport`) or remote (`createMlflowRestTransport`). */
  transport: TrackingTransport;
  /** How long logged values may wait before a background flush (default 1000 ms). */
  flushIntervalMs?: number;
}

/** A run being logged to. Logging calls return at once; values are sent in batches. */
export interface ActiveRun {
  readonly runId: string;
  readonly experimentId: string;
  /** Queues one metric value (step 0 and the current time unless given). */
  logMetric(key: string, value: number, options?: { step?: number; timestamp?: number }): void;
  /** Queues several metrics at one step. */
  logMetrics(values: Readonly<Record<string, number>>, options?: { step?: number }): void;
  /** Queues a param; params are immutable, so a changed value fails at the next flush. */
  logParam(key: string, value: string | number | boolean): void;
  /** Queues several params. */
  logParams(values: Readonly<Record<string, string | number | boolean>>): void;
  /** Queues a tag (tags may change). */
  setTag(key: string, value: string): void;
  /**
   * Sends everything queued so far and resolves when the server has acknowledged it. A
   * background flush that failed since the last call makes this reject with its error.
   */
  flush(): Promise<void>;
  /** Flushes, then marks the run finished (or failed/killed) with the current time. */
  end(status?: RunStatus): Promise<RunInfo>;
}

export interface TrackingClient {
  /** Starts a run in the named experiment (created when missing; "Default" when none). */
  startRun(input?: {
    experiment?: string;
    runName?: string;
    userId?: string;
    tags?: Record<string, string>;
  }): Promise<ActiveRun>;
}

/**
 * The tracking SDK: non-blocking, batched logging with an explicit `flush()`.
 *
 * @example
 * const client = createTrackingClient({ transport: createMlflowRestTransport({ url: "http://127.0.0.1:5000" }) });
 * const run = await client.startRun({ experiment: "fraud", runName: "gbdt" });
 * run.logParams({ maxDepth: 8, eta: 0.1 });
 * for (let i = 0; i < 200; i++) run.logMetric("valid_auc", auc[i], { step: i });
 * await run.end();
 */
export function createTrackingClient(options: TrackingClientOptions): TrackingClient {
  const interval = options.flushIntervalMs ?? 1000;
  return {
    async startRun(input = {}) {
      const experimentId = await options.transport.ensureExperiment(input.experiment ?? "Default");
      const tags = Object.entries(input.tags ?? {}).map(([key, value]) => ({ key, value }));
      const run = await options.transport.createRun({
        experimentId,
        runName: input.runName,
        userId: input.userId,
        tags,
      });
      return createActiveRun(options.transport, run.info.runId, experimentId, interval);
    },
  };
}

function createActiveRun(
  transport: TrackingTransport,
  runId: string,
  experimentId: string,
  intervalMs: number,
): ActiveRun {
  const metrics: Metric[] = [];
  const params: KeyValue[] = [];
  const tags: KeyValue[] = [];
  let sending: Promise<void> = Promise.resolve();
  let failure: unknown;
  let timer: NodeJS.Timeout | undefined;

  /** Takes up to one batch's worth off the queues, within MLflow's per-request limits. */
  function takeBatch() {
    const p = params.splice(0, LIMITS.batchParams);
    const t = tags.splice(0, LIMITS.batchTags);
    const m = metrics.splice(0, LIMITS.batchTotal - p.length - t.length);
    return { metrics: m, params: p, tags: t };
  }

  /** Chains a drain after whatever is being sent, so batches go out one at a time, in order. */
  function drain(): Promise<void> {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    sending = sending.then(async () => {
      while (metrics.length + params.length + tags.length > 0) {
        const batch = takeBatch();
        try {
          await transport.logBatch(runId, batch);
        } catch (error) {
          failure ??= error;
        }
      }
    });
    return sending;
  }

  function queued(): void {
    if (metrics.length >= LIMITS.batchMetrics) {
      void drain();
    } else if (timer === undefined) {
      timer = setTimeout(() => void drain(), intervalMs);
      timer.unref();
    }
  }

  const run: ActiveRun = {
    runId,
    experimentId,
    logMetric(key, value, opts = {}) {
      metrics.push({
        key: validateKey("metric", key, "key"),
        value: validateMetricValue(value, "value"),
        step: opts.step ?? 0,
        timestamp: opts.timestamp ?? Date.now(),
      });
      queued();
    },
    logMetrics(values, opts = {}) {
      const timestamp = Date.now();
      for (const [key, value] of Object.entries(values))
        run.logMetric(key, value, { step: opts.step ?? 0, timestamp });
    },
    logParam(key, value) {
      params.push({
        key: validateKey("param", key, "key"),
        value: validateStringValue(String(value), "value", LIMITS.paramValueLength),
      });
      queued();
    },
    logParams(values) {
      for (const [key, value] of Object.entries(values)) run.logParam(key, value);
    },
    setTag(key, value) {
      tags.push({
        key: validateKey("tag", key, "key"),
        value: validateStringValue(value, "value", LIMITS.tagValueLength),
      });
      queued();
    },
    async flush() {
      await drain();
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        throw error;
      }
    },
    async end(status = "FINISHED") {
      await run.flush();
      return transport.finishRun(runId, status, Date.now());
    },
  };
  return run;
}
