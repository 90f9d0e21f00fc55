import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { resolveConfig } from "../../core/config.ts";
import { createLogger } from "../../core/logger.ts";
import { createSeededRandom } from "../../core/seeded-random.ts";
import type { GateReport } from "../../pipelines/builtin/training/evaluate-candidate.ts";
import { writeSyntheticFeatureRepo } from "../../pipelines/builtin/training/testing/synthetic-feature-repo.ts";
import {
  createPipelineService,
  type PipelineService,
} from "../../pipelines/service/create-pipeline-service.ts";
import { openPlatform, type Platform } from "../../platform.ts";
import { createPredictionLog } from "../../serving/prediction-log/create-prediction-log.ts";
import type { PredictionRecord } from "../../serving/prediction-log/prediction-record.ts";
import type { WebhookNotifier } from "../alerts/create-webhook-notifier.ts";
import { REFERENCE_PROFILE_TAG } from "../reference/reference-profile.ts";
import { createPlatformMonitoringContext } from "./create-platform-monitoring-context.ts";
import { type MonitoringLoopContext, runMonitoringOnce } from "./run-monitoring-once.ts";

// The whole loop on real components: a champion trained by the built-in pipeline and
// deployed; a drifted hour in the real prediction log; the policy sees the drift against the
// champion's own training set, runs the pipeline, the gates pass, the new version becomes
// `challenger` and the deployment is split 90/10. A stricter policy on a second deployment
// fails its gates: a version on record with the evidence, no alias, no split.

const HOUR = 3_600_000;
const GOOD = JSON.stringify({ numRounds: 30, maxDepth: 3, numThreads: 1, seed: 1 });
const home = mkdtempSync(join(tmpdir(), "plinth-closed-loop-"));
mkdirSync(join(home, "repo"));
const repo = writeSyntheticFeatureRepo(join(home, "repo"), { rows: 400 });
const pipelineParams = {
  feature_service: "churn_v1",
  entities: repo.entities,
  label: "is_churn",
  trainer_params: GOOD,
};
writeFileSync(
  join(home, "config.json"),
  JSON.stringify({
    featuresModule: repo.features,
    monitoring: {
      retraining: [
        {
          name: "churn-drift",
          deployment: "churn",
          when: { drift_share: 0.5, window: "1h" },
          pipeline: { ...pipelineParams, gates: { thresholds: [{ metric: "auc", min: 0.6 }] } },
          canaryWeight: 10,
        },
        {
          name: "churn-auc",
          deployment: "churn",
          when: { metric: "auc", below: 0.6, window: "1h" },
          pipeline: pipelineParams,
        },
        {
          name: "strict-drift",
          deployment: "churn-strict",
          when: { drift_share: 0.5, window: "1h" },
          pipeline: { ...pipelineParams, gates: { thresholds: [{ metric: "auc", min: 0.9999 }] } },
        },
      ],
    },
  }),
);

let platform: Platform;
let service: PipelineService;
let context: MonitoringLoopContext;
let notifier: WebhookNotifier;
const now = Math.floor(Date.now() / HOUR) * HOUR + 5 * 60_000;

/** An hour of churn predictions whose features are far from the training data. */
function driftedHour(deployment: string, from: number): PredictionRecord[] {
  const rng = createSeededRandom(5);
  return Array.from({ length: 200 }, (_, i) => ({
    requestId: `${deployment}-${i}`,
    at: from + i * 10_000,
    deployment,
    variant: "champion",
    shadow: false,
    modelName: "churn",
    modelVersion: "1",
    entities: { customer_id: i % 60 },
    features: { f1: 2 + 2 * rng.next(), f2: 2 + 2 * rng.next(), segment: "a" },
    outputs: { score: rng.next() },
    latencyMs: 1,
  }));
}

before(async () => {
  platform = await openPlatform(resolveConfig({ overrides: { home }, env: {} }), {
    logger: createLogger({ level: "silent" }),
  });
  service = createPipelineService({ platform, executor: { type: "in-process" } });
  ({ context, notifier } = createPlatformMonitoringContext(platform, service));
  // The champion: version 1 through the same pipeline, then deployed at 100%.
  await service.trigger({
    pipeline: "training",
    params: { ...pipelineParams, features: repo.features, model_name: "churn" },
    triggeredBy: "test",
  });
  await service.idle();
  const champion = await platform.registry.aliases.resolve("churn", "champion");
  assert.equal(champion.version, "1");
  // Drift is then measured by monitorWindow against the profile stored with the champion.
  assert.ok(champion.tags.some((t) => t.key === REFERENCE_PROFILE_TAG));
  for (const name of ["churn", "churn-strict"]) {
    await platform.deployments.create({
      name,
      variants: [
        { name: "champion", model: "churn", alias: "champion", weight: 100, shadow: false },
      ],
    });
  }
  const log = createPredictionLog({
    artifacts: platform.artifacts,
    maxQueue: 10_000,
    segmentMaxRows: 1000,
    segmentMaxAgeMs: 60_000,
    flushIntervalMs: 50,
  });
  const lastHour = Math.floor(now / HOUR) * HOUR - HOUR;
  for (const r of [...driftedHour("churn", lastHour), ...driftedHour("churn-strict", lastHour)])
    log.append(r);
  await log.close();
});
after(async () => {
  await notifier.close();
  await service.close();
  await platform.close();
  rmSync(home, { recursive: true, force: true });
});

test("drifted window -> pipeline run -> version registered -> challenger alias -> 90/10 split; strict gates fail with evidence", async () => {
  const pass = await runMonitoringOnce(context, { now, wait: true });
  const byPolicy = Object.fromEntries(pass.decisions.map((d) => [d.policy, d]));
  assert.deepEqual(Object.keys(byPolicy).sort(), ["churn-auc", "churn-drift", "strict-drift"]);

  const drift = byPolicy["churn-drift"]!;
  assert.equal(drift.outcome, "split_applied", drift.reason);
  assert.equal(drift.triggered, true);
  assert.equal(drift.evidence.metric, "drift_share");
  assert.equal(drift.evidence.value, 1);
  assert.deepEqual(drift.evidence.threshold, { op: ">=", value: 0.5 });
  assert.ok(drift.pipelineRunId !== null);
  const challenger = await platform.registry.aliases.resolve("churn", "challenger");
  assert.equal(challenger.version, drift.modelVersion);
  assert.equal(
    challenger.tags.find((t) => t.key === "plinth.pipeline.run_id")?.value,
    drift.pipelineRunId,
  );
  // The champion alias did not move: the new version is only the challenger.
  assert.equal((await platform.registry.aliases.resolve("churn", "champion")).version, "1");
  const gates = drift.gates as GateReport;
  assert.equal(gates.passed, true);
  assert.equal(gates.comparedAlias, "champion");
  assert.equal(gates.champion?.version, "1");
  const deployment = await platform.deployments.get("churn");
  assert.deepEqual(
    deployment.variants.map((v) => [v.name, v.alias, v.weight, v.shadow]),
    [
      ["champion", "champion", 90, false],
      ["challenger", "challenger", 10, false],
    ],
  );
  assert.deepEqual(drift.variants, deployment.variants);

  const auc = byPolicy["churn-auc"]!;
  assert.equal(auc.outcome, "no_data");
  assert.equal(auc.triggered, false);
  assert.equal(auc.pipelineRunId, null);

  const strict = byPolicy["strict-drift"]!;
  assert.equal(strict.outcome, "gates_failed", strict.reason);
  assert.ok(strict.modelVersion !== null && strict.modelVersion !== challenger.version);
  const strictGates = strict.gates as GateReport;
  assert.equal(strictGates.passed, false);
  assert.deepEqual(
    strictGates.decisions.map((d) => [d.gate, d.passed]),
    [["threshold auc >= 0.9999", false]],
  );
  assert.deepEqual(
    (await platform.deployments.get("churn-strict")).variants.map((v) => [v.name, v.weight]),
    [["champion", 100]],
  );
  const strictVersion = await platform.registry.versions.get(
    "churn",
    strict.modelVersion as string,
  );
  assert.deepEqual(strictVersion.aliases, []);

  // Every decision is on record; the same window is never decided twice.
  const stored = await context.decisions.list({ deployment: "churn" });
  assert.deepEqual(stored.map((d) => d.policy).sort(), ["churn-auc", "churn-drift"]);
  assert.equal(stored.find((d) => d.policy === "churn-drift")?.outcome, "split_applied");
  const again = await runMonitoringOnce(context, { now: now + 60_000, wait: true });
  assert.deepEqual(again.decisions, []);

  // The next hour has no predictions: no data, nothing retrained.
  const later = await runMonitoringOnce(context, {
    now: now + HOUR,
    deployment: "churn",
    wait: true,
  });
  assert.deepEqual(later.decisions.map((d) => [d.policy, d.outcome]).sort(), [
    ["churn-auc", "no_data"],
    ["churn-drift", "no_data"],
  ]);
});
