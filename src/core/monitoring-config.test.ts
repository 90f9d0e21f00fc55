import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { resolveConfig } from "./config.ts";
import { isPlinthError } from "./errors.ts";

function withMonitoring(monitoring: unknown) {
  const home = mkdtempSync(join(tmpdir(), "plinth-monitoring-config-"));
  writeFileSync(join(home, "config.json"), JSON.stringify({ monitoring }));
  return () => resolveConfig({ env: { PLINTH_HOME: home }, cwd: home });
}

test("no monitoring section: no rules, no policies, evaluated every minute", () => {
  const c = withMonitoring(undefined)();
  assert.deepEqual(c.monitoring, {
    intervalMs: 60_000,
    alerts: [],
    retraining: [],
    webhook: { maxAttempts: 5, initialBackoffMs: 1000, timeoutMs: 10_000 },
  });
});

test("alert rules and retraining policies are parsed into windows in ms and pipeline params", () => {
  const c = withMonitoring({
    intervalSeconds: 30,
    alerts: [
      {
        name: "drift",
        deployment: "fraud",
        metric: "drift_share",
        window: "1h",
        op: ">",
        threshold: 0.5,
        for: 3,
        webhook: "https://hooks.example.com/a",
      },
      {
        name: "amount-missing",
        deployment: "fraud",
        metric: "missing_rate:amount",
        window: "15m",
        op: ">=",
        threshold: 0.1,
      },
    ],
    retraining: [
      {
        deployment: "fraud",
        when: { drift_share: 0.5, window: "1d" },
        pipeline: {
          feature_service: "fraud_v1",
          entities: "labels.parquet",
          label: "is_fraud",
          gates: { thresholds: [{ metric: "auc", min: 0.7 }] },
        },
        canaryWeight: 20,
      },
      {
        name: "auc-low",
        deployment: "fraud",
        when: { metric: "auc", below: 0.7 },
        pipeline: { feature_service: "f", entities: "e.csv", label: "y" },
      },
      {
        name: "weekly",
        deployment: "fraud",
        when: { cron: "0 3 * * 0", timezone: "Europe/Berlin" },
        pipeline: { feature_service: "f", entities: "e.csv", label: "y" },
      },
    ],
  })();
  const m = c.monitoring;
  assert.equal(m.intervalMs, 30_000);
  assert.deepEqual(m.alerts[0], {
    name: "drift",
    deployment: "fraud",
    metric: "drift_share",
    windowMs: 3_600_000,
    op: ">",
    threshold: 0.5,
    for: 3,
    webhook: "https://hooks.example.com/a",
  });
  assert.equal(m.alerts[1]?.for, 1);
  assert.equal(m.alerts[1]?.windowMs, 900_000);
  assert.deepEqual(m.retraining[0], {
    name: "fraud-retraining-1",
    deployment: "fraud",
    when: { kind: "drift_share", atLeast: 0.5, windowMs: 86_400_000 },
    pipeline: {
      feature_service: "fraud_v1",
      entities: "labels.parquet",
      label: "is_fraud",
      gates: JSON.stringify({ thresholds: [{ metric: "auc", min: 0.7 }] }),
    },
    canaryWeight: 20,
    cooldownMs: 86_400_000,
  });
  assert.deepEqual(m.retraining[1]?.when, {
    kind: "metric",
    metric: "auc",
    below: 0.7,
    above: undefined,
    windowMs: 86_400_000,
  });
  assert.deepEqual(m.retraining[2]?.when, {
    kind: "cron",
    cron: "0 3 * * 0",
    timezone: "Europe/Berlin",
  });
  assert.equal(m.retraining[1]?.canaryWeight, 10);
});

test("bad rules and policies are CONFIG_INVALID naming the field", () => {
  const good = {
    name: "r",
    deployment: "fraud",
    metric: "drift_share",
    window: "1h",
    op: ">",
    threshold: 0.5,
  };
  const policy = {
    deployment: "fraud",
    when: { drift_share: 0.5 },
    pipeline: { feature_service: "f", entities: "e.csv", label: "y" },
  };
  const cases: Array<[unknown, string]> = [
    [{ alerts: [{ ...good, metric: "accuracyy" }] }, "monitoring.alerts.0.metric"],
    [{ alerts: [{ ...good, metric: "feature_drift:" }] }, "monitoring.alerts.0.metric"],
    [{ alerts: [{ ...good, metric: "missing_rate:a b" }] }, "monitoring.alerts.0.metric"],
    [{ alerts: [{ ...good, window: "1w" }] }, "monitoring.alerts.0.window"],
    [{ alerts: [{ ...good, window: "9999999d" }] }, "monitoring.alerts.0.window"],
    [{ alerts: [{ ...good, window: 3600 }] }, "monitoring.alerts.0.window"],
    [{ alerts: [{ ...good, op: "==" }] }, "monitoring.alerts.0.op"],
    [{ alerts: [{ ...good, threshold: "0.5" }] }, "monitoring.alerts.0.threshold"],
    [{ alerts: [{ ...good, threshold: undefined }] }, "monitoring.alerts.0.threshold"],
    [{ alerts: [{ ...good, for: 0 }] }, "monitoring.alerts.0.for"],
    [{ alerts: [{ ...good, for: 1e9 }] }, "monitoring.alerts.0.for"],
    [{ alerts: [{ ...good, webhook: "file:///etc/passwd" }] }, "monitoring.alerts.0.webhook"],
    [{ alerts: [{ ...good, name: "../../x" }] }, "monitoring.alerts.0.name"],
    [{ alerts: [{ ...good, extra: 1 }] }, "monitoring.alerts.0"],
    [{ alerts: [good, good] }, "monitoring.alerts.1.name"],
    [{ alerts: "drift" }, "monitoring.alerts"],
    [{ intervalSeconds: 0 }, "monitoring.intervalSeconds"],
    [{ retraining: [{ ...policy, canaryWeight: 100 }] }, "monitoring.retraining.0.canaryWeight"],
    [{ retraining: [{ ...policy, when: { drift_share: 2 } }] }, "monitoring.retraining.0.when"],
    [{ retraining: [{ ...policy, when: { metric: "auc" } }] }, "monitoring.retraining.0.when"],
    [
      { retraining: [{ ...policy, pipeline: { entities: "e.csv", label: "y" } }] },
      "monitoring.retraining.0.pipeline.feature_service",
    ],
    [
      {
        retraining: [
          { ...policy, name: "p" },
          { ...policy, name: "p" },
        ],
      },
      "monitoring.retraining.1.name",
    ],
  ];
  for (const [monitoring, field] of cases) {
    assert.throws(
      withMonitoring(monitoring),
      (e: unknown) =>
        isPlinthError(e, "CONFIG_INVALID") && e.field === field && e.message.includes(field),
      `${JSON.stringify(monitoring)} → ${field}`,
    );
  }
});
