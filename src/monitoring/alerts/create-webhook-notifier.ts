import type { WebhookDeliveryConfig } from "../../core/monitoring-config.ts";
import type { AlertStore } from "./alert-store.ts";
import type { AlertEvent } from "./alert-types.ts";
import type { AlertNotifier } from "./evaluate-alert-rules.ts";

/** Deliveries kept in flight at most; more are recorded as failed at once, never queued without bound. */
const MAX_IN_FLIGHT = 1000;

/** A notifier that POSTs events to webhooks in the background. */
export interface WebhookNotifier extends AlertNotifier {
  /** Resolves when every delivery queued so far has succeeded or given up. */
  drain(): Promise<void>;
  /** Stops retrying (a retry that was waiting is recorded as abandoned) and drains. */
  close(): Promise<void>;
}

/** The JSON body POSTed to a webhook. */
export function webhookPayload(event: AlertEvent) {
  return {
    event_id: event.eventId,
    kind: event.kind,
    rule: event.rule,
    deployment: event.deployment,
    metric: event.metric,
    value: event.value,
    op: event.op,
    threshold: event.threshold,
    consecutive_windows: event.consecutive,
    window: {
      start: new Date(event.windowStart).toISOString(),
      end: new Date(event.windowEnd).toISOString(),
    },
    message: event.message,
    at: new Date(event.createdAt).toISOString(),
  };
}

/**
 * Delivers alert events as JSON POSTs, off the evaluation path: `deliver` returns at once,
 * and each attempt (a 2xx answer is success; another status, a timeout or a refused
 * connection is a failure) is recorded in the alert store. A failure is retried after
 * `initialBackoffMs`, doubled each time, up to `maxAttempts` attempts, so a dead endpoint
 * costs a few background requests and never holds up evaluation.
 *
 * @example
 * const notifier = createWebhookNotifier({ store, config: config.monitoring.webhook });
 * await evaluateAlertRules({ rules, source, store, now: Date.now(), notifier });
 */
export function createWebhookNotifier(options: {
  readonly store: AlertStore;
  readonly config: WebhookDeliveryConfig;
  readonly onError?: (error: unknown) => void;
}): WebhookNotifier {
  const { store, config } = options;
  const inFlight = new Set<Promise<void>>();
  const closing = new AbortController();

  const record = (
    event: AlertEvent,
    url: string,
    attempt: number,
    outcome: { ok: boolean; httpStatus: number | null; error: string | null },
  ) =>
    store
      .recordDelivery({
        eventId: event.eventId,
        attempt,
        url,
        status: outcome.ok ? "delivered" : "failed",
        httpStatus: outcome.httpStatus,
        error: outcome.error,
        at: Date.now(),
      })
      .catch((error: unknown) => options.onError?.(error));

  async function attemptOnce(event: AlertEvent, url: string) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-plinth-event-id": event.eventId },
        body: JSON.stringify(webhookPayload(event)),
        signal: AbortSignal.any([AbortSignal.timeout(config.timeoutMs), closing.signal]),
        redirect: "error",
      });
      // The body is not needed; reading it frees the connection.
      await response.arrayBuffer().catch(() => undefined);
      return response.ok
        ? { ok: true, httpStatus: response.status, error: null }
        : { ok: false, httpStatus: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      const message = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        httpStatus: null,
        error: cause === undefined ? message : `${message} (${cause})`,
      };
    }
  }

  async function run(event: AlertEvent, url: string) {
    for (let attempt = 1; attempt <= config.maxAttempts; attempt++) {
      const outcome = await attemptOnce(event, url);
      await record(event, url, attempt, outcome);
      if (outcome.ok || attempt === config.maxAttempts) return;
      const wait = config.initialBackoffMs * 2 ** (attempt - 1);
      const waited = await sleep(wait, closing.signal);
      if (!waited) {
        await record(event, url, attempt + 1, {
          ok: false,
          httpStatus: null,
          error: "abandoned: the notifier closed before this retry",
        });
        return;
      }
    }
  }

  return {
    deliver(event, url) {
      if (inFlight.size >= MAX_IN_FLIGHT || closing.signal.aborted) {
        void record(event, url, 1, {
          ok: false,
          httpStatus: null,
          error: "not sent: too many deliveries in flight or the notifier is closed",
        });
        return;
      }
      const p: Promise<void> = run(event, url)
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async close() {
      closing.abort();
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
