import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { resolveConfig } from "../../core/config.ts";
import { createLogger } from "../../core/logger.ts";
import {
  createPipelineService,
  type PipelineService,
} from "../../pipelines/service/create-pipeline-service.ts";
import { openPlatform, type Platform } from "../../platform.ts";
import type { WebhookNotifier } from "../alerts/create-webhook-notifier.ts";
import { createPlatformMonitoringContext } from "../loop/create-platform-monitoring-context.ts";
import { type MonitoringLoopContext, runMonitoringOnce } from "../loop/run-monitoring-once.ts";

// The ways a policy can end without a split, on real stores and the real training pipeline:
// a cron tick whose run fails, a deployment that does not exist, a metric that cannot be
// computed. Each is one recorded decision saying why; none stops the others.

const home = mkdtempSync(join(tmpdir(), "plinth-retraining-"));
const missing = join(home, "no-such-labels.csv");
const params = {
  feature_service: "churn_v1",
  entities: missing,
  label: "is_churn",
  features: join(home, "features.ts"),
};
writeFileSync(join(home, "features.ts"), "export {};\n");
writeFileSync(
  join(home, "config.json"),
  JSON.stringify({
    monitoring: {
      retraining: [
        {
          name: "nightly",
          deployment: "fraud",
          when: { cron: "0 3 * * *", timezone: "UTC" },
          pipeline: params,
        },
        { name: "ghost-drift", deployment: "ghost", when: { cron: "0 3 * * *" }, pipeline: params },
        {
          name: "fraud-drift",
          deployment: "fraud",
          when: { drift_share: 0.5, window: "1h" },
          pipeline: params,
        },
      ],
    },
  }),
);

let platform: Platform;
let service: PipelineService;
let context: MonitoringLoopContext;
let notifier: WebhookNotifier;
before(async () => {
  platform = await openPlatform(resolveConfig({ overrides: { home }, env: {} }), {
    logger: createLogger({ level: "silent" }),
  });
  service = createPipelineService({ platform, executor: { type: "in-process" } });
  ({ context, notifier } = createPlatformMonitoringContext(platform, service));
  await platform.registry.models.create({ name: "fraud" });
  await platform.registry.versions.create({ name: "fraud", source: "file:///nowhere/model" });
  await platform.registry.aliases.set("fraud", "champion", "1");
  await platform.deployments.create({
    name: "fraud",
    variants: [{ name: "champion", model: "fraud", alias: "champion", weight: 100, shadow: false }],
  });
});
after(async () => {
  await notifier.close();
  await service.close();
  await platform.close();
  rmSync(home, { recursive: true, force: true });
});

test("a cron tick retrains; a failed run, a missing deployment and an unreadable reference are decisions with reasons", async () => {
  const now = Date.UTC(2026, 11, 6, 3, 30);
  const pass = await runMonitoringOnce(context, { now, wait: true });
  const byPolicy = Object.fromEntries(pass.decisions.map((d) => [d.policy, d]));

  const nightly = byPolicy.nightly!;
  assert.equal(nightly.trigger, "cron");
  assert.equal(nightly.triggered, true);
  assert.equal(nightly.windowEnd, Date.UTC(2026, 11, 6, 3, 0));
  assert.deepEqual(nightly.evidence, {
    cron: "0 3 * * *",
    timezone: "UTC",
    fireTime: "2026-12-06T03:00:00.000Z",
  });
  assert.equal(nightly.outcome, "pipeline_failed", nightly.reason);
  assert.ok(nightly.pipelineRunId !== null);
  assert.match(nightly.reason, /failed at step training_set/);
  const run = await context.runs.getRun(nightly.pipelineRunId as string);
  assert.equal(run.status, "failed");
  assert.equal(run.triggeredBy, "monitoring:nightly");
  assert.deepEqual(
    (await platform.deployments.get("fraud")).variants.map((v) => [v.name, v.weight]),
    [["champion", 100]],
  );

  const ghost = byPolicy["ghost-drift"]!;
  assert.equal(ghost.outcome, "pipeline_failed");
  assert.equal(ghost.pipelineRunId, null);
  assert.match(ghost.reason, /could not be started: .*ghost/);

  // The champion (a version with no package, no training set) gives no drift reference.
  const drift = byPolicy["fraud-drift"]!;
  assert.equal(drift.triggered, false);
  assert.equal(drift.outcome, "no_data");

  // The same cron tick is not retrained twice; a tick within the cooldown is recorded as such.
  const again = await runMonitoringOnce(context, { now: now + 60_000, wait: true });
  assert.deepEqual(again.decisions, []);
  const nextNight = await runMonitoringOnce(context, {
    now: now + 86_400_000 - 60_000,
    wait: true,
  });
  const next = Object.fromEntries(nextNight.decisions.map((d) => [d.policy, d]));
  assert.equal(next.nightly?.outcome, "cooldown");
  assert.equal(next.nightly?.pipelineRunId, null);
  assert.match(next.nightly?.reason ?? "", /within the cooldown/);
});
