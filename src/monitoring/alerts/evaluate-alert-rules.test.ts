import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createLocalArtifactStore } from "../../artifacts/local/local-artifact-store.ts";
import type { AlertRuleConfig } from "../../core/monitoring-config.ts";
import { metadataBackends } from "../../metadata/testing/metadata-backends.ts";
import { createPredictionLog } from "../../serving/prediction-log/create-prediction-log.ts";
import { createPredictionLogReader } from "../../serving/prediction-log/create-prediction-log-reader.ts";
import type { PredictionRecord } from "../../serving/prediction-log/prediction-record.ts";
import { createRecordsMetricSource } from "./create-records-metric-source.ts";
import { createWebhookNotifier } from "./create-webhook-notifier.ts";
import { evaluateAlertRules } from "./evaluate-alert-rules.ts";
import { createMetadataAlertStore } from "./metadata/create-metadata-alert-store.ts";
import type { MetricSource } from "./metric-source.ts";
import { normalReference, windowRecords } from "./testing/drift-records.ts";
import { deadUrl, startWebhookReceiver, type WebhookReceiver } from "./testing/webhook-receiver.ts";

const HOUR = 3_600_000;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);
// Hour 0: like the reference; hours 1-2: drifted; hour 3: nothing logged; hour 4: drifted;
// hour 5: back to normal.
const shifts: Array<number | null> = [0, 3, 3, null, 3, 0];
const records: PredictionRecord[] = shifts.flatMap((shift, h) =>
  shift === null
    ? []
    : windowRecords({
        deployment: "fraud",
        from: T0 + h * HOUR,
        spanMs: HOUR,
        n: 300,
        shift,
        seed: 10 + h,
      }),
);
// Written through the real prediction log and read back through its reader.
const dir = mkdtempSync(join(tmpdir(), "plinth-alerts-"));
const artifacts = createLocalArtifactStore({ root: dir });
const reader = createPredictionLogReader(artifacts);
const source = createRecordsMetricSource({
  read: (q) => reader.read(q),
  reference: async (d) => (d === "fraud" ? normalReference() : undefined),
});
const rule = (over: Partial<AlertRuleConfig> = {}): AlertRuleConfig => ({
  name: "fraud-drift",
  deployment: "fraud",
  metric: "drift_share",
  windowMs: HOUR,
  op: ">=",
  threshold: 0.5,
  for: 2,
  webhook: undefined,
  ...over,
});
const windowEnd = (body: Record<string, unknown>) => (body.window as { end: string }).end;
/** A moment inside hour h: hour h-1 is the latest complete window. */
const during = (h: number) => T0 + h * HOUR + 60_000;

let receiver: WebhookReceiver;
before(async () => {
  receiver = await startWebhookReceiver(2);
  const log = createPredictionLog({
    artifacts,
    maxQueue: 100_000,
    segmentMaxRows: 500,
    segmentMaxAgeMs: 60_000,
    flushIntervalMs: 50,
  });
  for (const r of records) assert.equal(log.append(r), true);
  await log.close();
});
after(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the records metric source computes the window metrics from the records", async () => {
  const v = await source.values({
    deployment: "fraud",
    from: T0 + HOUR,
    to: T0 + 2 * HOUR,
    metrics: [
      "drift_share",
      "feature_drift:amount",
      "missing_rate:amount",
      "missing_rate:nope",
      "prediction_count",
      "prediction_mean",
      "auc",
    ],
  });
  assert.equal(v.drift_share, 1);
  assert.ok((v["feature_drift:amount"] as number) < 1e-10, String(v["feature_drift:amount"]));
  assert.equal(v["missing_rate:amount"], 0);
  assert.equal(v["missing_rate:nope"], null, "a feature no record carries is no data");
  assert.equal(v.prediction_count, 300);
  const hour1 = records.filter((r) => r.at >= T0 + HOUR && r.at < T0 + 2 * HOUR);
  const mean = hour1.reduce((s, r) => s + (r.outputs.score as number), 0) / hour1.length;
  assert.ok(Math.abs((v.prediction_mean as number) - mean) < 1e-12);
  assert.equal(v.auc, null, "no labels: no AUC");
  const calm = await source.values({
    deployment: "fraud",
    from: T0,
    to: T0 + HOUR,
    metrics: ["drift_share"],
  });
  assert.equal(calm.drift_share, 0);
  const empty = await source.values({
    deployment: "fraud",
    from: T0 + 3 * HOUR,
    to: T0 + 4 * HOUR,
    metrics: ["drift_share", "prediction_count"],
  });
  assert.deepEqual(empty, { drift_share: null, prediction_count: 0 });
});

for (const backend of metadataBackends()) {
  describe(`alert evaluation (${backend.name})`, () => {
    test("pending, fired after 2 windows, kept through no data, resolved; each transition in the history and on the webhook", async () => {
      const { store: metadata, cleanup } = await backend.open();
      const store = createMetadataAlertStore(metadata);
      const notifier = createWebhookNotifier({
        store,
        config: { maxAttempts: 4, initialBackoffMs: 5, timeoutMs: 5000 },
      });
      receiver.received.length = 0;
      try {
        const rules = [rule({ webhook: receiver.url })];
        const states: string[] = [];
        for (let h = 1; h <= 6; h++) {
          const results = await evaluateAlertRules({
            rules,
            source,
            store,
            now: during(h),
            notifier,
          });
          states.push(...results.map((r) => r.state));
        }
        // The first evaluation starts `for` windows back: the empty hour before T0 too.
        assert.deepEqual(states, ["no_data", "ok", "pending", "firing", "no_data", "firing", "ok"]);
        const history = (await store.listEvents({ deployment: "fraud" })).reverse();
        assert.deepEqual(
          history.map((e) => [e.kind, (e.windowStart - T0) / HOUR]),
          [
            ["no_data", -1],
            ["fired", 2],
            ["no_data", 3],
            ["resolved", 5],
          ],
        );
        history.shift();
        assert.equal(history[0]?.consecutive, 2);
        assert.equal(history[0]?.value, 1);
        const final = await store.getState("fraud-drift");
        assert.equal(final?.state, "ok");
        assert.equal(final?.firingSince, null);

        // fired and resolved are POSTed; the receiver fails the first two attempts.
        await notifier.drain();
        const fired = history[0]!;
        for (const e of [fired, history[2]!]) {
          const attempts = await store.listDeliveries(e.eventId);
          assert.deepEqual(
            attempts.map((a) => [a.attempt, a.status, a.httpStatus, a.url]),
            [
              [1, "failed", 500, receiver.url],
              [2, "failed", 500, receiver.url],
              [3, "delivered", 204, receiver.url],
            ],
          );
        }
        const bodies = receiver.received
          .filter((r) => r.status === 204)
          .map((r) => r.body as Record<string, unknown>)
          // Two deliveries run at once: order them by window.
          .sort((a, b) => windowEnd(a).localeCompare(windowEnd(b)));
        assert.deepEqual(
          bodies.map((b) => [b.kind, b.rule, b.event_id]),
          [
            ["fired", "fraud-drift", fired.eventId],
            ["resolved", "fraud-drift", history[2]!.eventId],
          ],
        );
        assert.equal(bodies[0]?.value, 1);
        assert.equal(
          (bodies[0]?.window as { start: string } | undefined)?.start,
          new Date(T0 + 2 * HOUR).toISOString(),
        );
        assert.equal(receiver.received[0]?.headers["content-type"], "application/json");
        // Re-evaluating the same moment changes nothing.
        const again = await evaluateAlertRules({ rules, source, store, now: during(6), notifier });
        assert.deepEqual(again, []);
      } finally {
        await notifier.close();
        await cleanup();
      }
    });

    test("a throwing metric source is an error state; other rules, and the next windows, carry on", async () => {
      const { store: metadata, cleanup } = await backend.open();
      const store = createMetadataAlertStore(metadata);
      let calls = 0;
      const flaky: MetricSource = {
        async values(q) {
          calls++;
          if (q.deployment === "broken") throw new Error("prediction log unreachable");
          return source.values(q);
        },
      };
      try {
        const rules = [
          rule({ name: "broken-drift", deployment: "broken", for: 1 }),
          rule({ name: "nan-rule", metric: "missing_rate:nope", op: ">", threshold: 0.1, for: 1 }),
          rule({ name: "drift-1", for: 1 }),
        ];
        const results = await evaluateAlertRules({ rules, source: flaky, store, now: during(2) });
        assert.deepEqual(
          results.map((r) => [r.rule, r.state]),
          [
            ["broken-drift", "error"],
            ["nan-rule", "no_data"],
            ["drift-1", "firing"],
          ],
        );
        // The two fraud rules share one query per window.
        assert.equal(calls, 2);
        const events = await store.listEvents();
        const broken = events.find((e) => e.rule === "broken-drift");
        assert.equal(broken?.kind, "error");
        assert.match(broken?.message ?? "", /prediction log unreachable/);
        const next = await evaluateAlertRules({ rules, source: flaky, store, now: during(3) });
        assert.deepEqual(
          next.map((r) => [r.rule, r.state, r.event?.kind]),
          [
            ["broken-drift", "error", undefined],
            ["nan-rule", "no_data", undefined],
            ["drift-1", "firing", undefined],
          ],
        );
      } finally {
        await cleanup();
      }
    });

    test("a dead webhook never holds up evaluation; its attempts are recorded", async () => {
      const { store: metadata, cleanup } = await backend.open();
      const store = createMetadataAlertStore(metadata);
      // A long backoff: evaluation finishing while retries wait proves it does not wait on them.
      const notifier = createWebhookNotifier({
        store,
        config: { maxAttempts: 5, initialBackoffMs: 600_000, timeoutMs: 2000 },
      });
      try {
        const rules = [rule({ for: 1, webhook: await deadUrl() })];
        const results = await evaluateAlertRules({
          rules,
          source,
          store,
          now: during(2),
          notifier,
        });
        assert.equal(results.at(-1)?.event?.kind, "fired");
        const eventId = results.at(-1)?.event?.eventId as string;
        // The first attempt fails at once (connection refused); its retry waits ten minutes.
        while ((await store.listDeliveries(eventId)).length === 0) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await notifier.close();
        const attempts = await store.listDeliveries(eventId);
        assert.equal(attempts[0]?.status, "failed");
        assert.match(attempts[0]?.error ?? "", /ECONNREFUSED|fetch failed/);
        assert.match(attempts.at(-1)?.error ?? "", /abandoned/);
        assert.ok(attempts.length <= 2);
      } finally {
        await cleanup();
      }
    });
  });
}
