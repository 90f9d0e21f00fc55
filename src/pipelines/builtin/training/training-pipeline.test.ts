import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runCli } from "../../../cli/testing/run-cli.ts";
import { sha256Hex } from "../../../core/hash.ts";
import { startTestServer, type TestServer } from "../../../http/testing/start-test-server.ts";
import {
  loadReferenceProfile,
  REFERENCE_PROFILE_TAG,
} from "../../../monitoring/reference/reference-profile.ts";
import { traceModelVersion } from "../../lineage/trace-model-version.ts";
import { runPipeline } from "../../run/run-pipeline.ts";
import { createMetadataPipelineRunStore } from "../../state/metadata/create-metadata-pipeline-run-store.ts";
import type { GateReport } from "./evaluate-candidate.ts";
import { TRAINING_TAGS } from "./register-candidate.ts";
import { type EntityRow, writeSyntheticFeatureRepo } from "./testing/synthetic-feature-repo.ts";
import { trainingPipeline } from "./training-pipeline.ts";

const dir = mkdtempSync(join(tmpdir(), "plinth-training-pipeline-"));
const repo = writeSyntheticFeatureRepo(dir, { rows: 400 });
let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const GOOD = JSON.stringify({ numRounds: 30, maxDepth: 3, numThreads: 1, seed: 1 });
// One shallow tree with a tiny step: clearly worse than GOOD on the same holdout.
const WEAK = JSON.stringify({ numRounds: 1, maxDepth: 1, learningRate: 0.01, numThreads: 1 });

const base = {
  features: repo.features,
  feature_service: "churn_v1",
  entities: repo.entities,
  label: "is_churn",
  model_name: "churn",
};
const flags = (params: Record<string, string>) =>
  Object.entries(params).flatMap(([k, v]) => ["--param", `${k}=${v}`]);

/** The holdout by brute force: the latest 20% of entity rows by time (ties by file order). */
function holdoutOf(rows: readonly EntityRow[]): EntityRow[] {
  const order = rows
    .map((r, i) => [r, i] as const)
    .sort(([a, i], [b, j]) => a.time.getTime() - b.time.getTime() || i - j);
  return order.slice(rows.length - Math.round(rows.length * 0.2)).map(([r]) => r);
}

async function reportOf(runId: string): Promise<GateReport> {
  const run = await createMetadataPipelineRunStore(server.platform.metadata).getRun(runId);
  assert.equal(run.status, "succeeded", JSON.stringify(run.steps.map((s) => s.error)));
  const version = await server.platform.registry.versions.search({
    filter: `name = 'churn'`,
  });
  assert.ok(version.items.length > 0);
  const tag = (
    await server.platform.tracking.runs.get(run.steps[2]?.trackingRunId as string)
  ).data.tags.find((t) => t.key === "plinth.gates.report");
  return JSON.parse(tag?.value ?? "{}") as GateReport;
}

test("first model: trains from the feature service, passes the gates, takes the alias, and traces back to its data", async () => {
  const result = await runCli(
    server.home,
    "pipeline",
    "run",
    "builtin:training",
    ...flags({
      ...base,
      trainer_params: GOOD,
      gates: JSON.stringify({ thresholds: [{ metric: "auc", min: 0.65 }] }),
    }),
    "--json",
  );
  assert.equal(result.code, 0, result.stderr);
  const run = JSON.parse(result.stdout);
  assert.deepEqual(
    run.steps.map((s: { step: string; status: string }) => [s.step, s.status]),
    [
      ["training_set", "succeeded"],
      ["train", "succeeded"],
      ["evaluate", "succeeded"],
      ["register", "succeeded"],
    ],
  );
  const { registry } = server.platform;
  const v1 = await registry.aliases.resolve("churn", "champion");
  assert.equal(v1.version, "1");
  const tags = Object.fromEntries(v1.tags.map((t) => [t.key, t.value]));
  assert.equal(tags[TRAINING_TAGS.gatesPassed], "true");
  assert.equal(tags[TRAINING_TAGS.aliasDecision], "alias 'champion' moved to version 1");
  const report = JSON.parse(tags[TRAINING_TAGS.gatesReport] as string) as GateReport;
  assert.equal(report.champion, null);
  assert.equal(report.holdoutRows, 80);
  assert.ok((report.candidate.metrics.auc as number) > 0.65, JSON.stringify(report.candidate));
  assert.deepEqual(
    report.decisions.map((d) => [d.gate, d.passed]),
    [["threshold auc >= 0.65", true]],
  );

  // Lineage: version -> training run -> pipeline run -> training set -> entity file bytes.
  const lineage = await traceModelVersion(server.platform, "churn", "1");
  assert.equal(lineage.pipelineRun.runId, run.run_id);
  assert.deepEqual(
    lineage.steps.map((s) => s.step),
    ["training_set", "train", "evaluate", "register"],
  );
  const trainingSet = run.steps[0];
  assert.equal(tags[TRAINING_TAGS.trainingSetSha256], trainingSet.outputs.dataset.sha256);
  assert.equal(tags[TRAINING_TAGS.entityInputSha256], sha256Hex(readFileSync(repo.entities)));
  assert.equal(tags[TRAINING_TAGS.featureService], "churn_v1");
  // The training set's profile is kept with the version, as monitoring's reference.
  const reference = await loadReferenceProfile(server.platform.artifacts, registry, "churn", {
    alias: "champion",
  });
  assert.equal(reference.key, tags[REFERENCE_PROFILE_TAG]);
  assert.ok(reference.profile.rows > 0);
  assert.ok(reference.profile.features.length > 0);
  // The model's own scores on the training set are in the reference, named as serving logs
  // them, so the prediction's drift is tested too; they are probabilities.
  const scored = reference.profile.features.find((f) => f.name === "probability");
  assert.ok(
    scored?.kind === "numeric",
    JSON.stringify(reference.profile.features.map((f) => f.name)),
  );
  assert.equal(scored.moments.count, reference.profile.rows);
  assert.ok(scored.moments.min >= 0 && scored.moments.max <= 1);
  const trainRun = await server.platform.tracking.runs.get(v1.runId);
  const trainTag = (k: string) => trainRun.data.tags.find((t) => t.key === k)?.value;
  assert.equal(trainTag("mlflow.parentRunId"), run.steps[1].tracking_run_id);
  assert.equal(trainTag("plinth.dataset_hash"), tags[TRAINING_TAGS.lineageHash]);
  assert.equal(v1.source, `runs:/${v1.runId}/model`);
});

test("a weaker candidate is registered with its evidence but does not take the alias", async () => {
  const first = await reportOf(
    (
      await createMetadataPipelineRunStore(server.platform.metadata).listRuns({
        pipelineName: "training",
        limit: 1,
      })
    )[0]?.runId as string,
  );
  // Through the trigger API, as monitoring would call it.
  const response = await fetch(`${server.url}/api/pipelines/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      pipeline: "training",
      params: {
        ...base,
        trainer_params: WEAK,
        gates: JSON.stringify({ vsChampion: [{ metric: "auc", maxRegression: 0.01 }] }),
      },
    }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  const { run_id } = (await response.json()) as { run_id: string };
  let status = "running";
  for (let i = 0; i < 400 && status === "running"; i++) {
    await new Promise((r) => setTimeout(r, 25));
    status = (await createMetadataPipelineRunStore(server.platform.metadata).getRun(run_id)).status;
  }
  const report = await reportOf(run_id);
  assert.equal(report.passed, false);
  assert.equal(report.champion?.version, "1");
  // The champion was scored on the same holdout rows as when it was the candidate.
  assert.equal(report.champion?.metrics.auc, first.candidate.metrics.auc);
  const [decision] = report.decisions;
  assert.equal(decision?.passed, false);
  assert.equal(decision?.evidence.champion, first.candidate.metrics.auc);
  assert.ok((decision?.evidence.regression as number) > 0.01);

  const { registry } = server.platform;
  assert.equal((await registry.aliases.resolve("churn", "champion")).version, "1");
  const v2 = await registry.versions.get("churn", "2");
  const tags = Object.fromEntries(v2.tags.map((t) => [t.key, t.value]));
  assert.equal(tags[TRAINING_TAGS.gatesPassed], "false");
  assert.match(
    tags[TRAINING_TAGS.aliasDecision] ?? "",
    /^alias 'champion' not moved: failed not worse than the champion on auc/,
  );
  assert.deepEqual(v2.aliases, []);
});

test("per-slice gates record a slice table that matches the holdout, and a failing slice keeps the alias", async () => {
  const result = await runPipeline(trainingPipeline, {
    platform: server.platform,
    moduleUrl: "builtin:training",
    params: {
      ...base,
      alias: "challenger",
      trainer_params: GOOD,
      gates: JSON.stringify({
        slices: { column: "region", metric: "auc", min: 0.999, minRows: 5 },
      }),
    },
  });
  const report = (await result.output("evaluate", "report")) as GateReport;
  assert.equal(report.passed, false);
  const expected = new Map<string, number>();
  for (const r of holdoutOf(repo.rows)) expected.set(r.region, (expected.get(r.region) ?? 0) + 1);
  assert.deepEqual(
    report.slices?.rows.map((r) => [r.value, r.rows]),
    [...expected].sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  assert.ok(
    report.slices?.rows.every((r) => r.passed === false && /below min 0.999/.test(r.reason)),
  );
  assert.equal(await result.output("register", "aliasMoved"), false);
  await assert.rejects(server.platform.registry.aliases.resolve("churn", "challenger"));
  // A challenger run compares with the challenger alias, which nobody holds yet.
  assert.equal(report.champion, null);
});

test("bad parameters are refused before anything runs; a bad label fails the run and registers nothing", async () => {
  const runs = () =>
    createMetadataPipelineRunStore(server.platform.metadata).listRuns({ limit: 1000 });
  const before = (await runs()).length;
  const cases: Array<[Record<string, string>, string]> = [
    [{ gates: "{not json" }, "params.gates"],
    [{ gates: JSON.stringify({ thresholds: [{ metric: "auc" }] }) }, "params.gates.thresholds[0]"],
    [
      { gates: JSON.stringify({ thresholds: [{ metric: "nope", min: 1 }] }) },
      "params.gates.thresholds[0].metric",
    ],
    [
      { gates: JSON.stringify({ vsChampion: [{ metric: "auc", maxRegression: -1 }] }) },
      "params.gates.vsChampion[0].maxRegression",
    ],
    [{ gates: JSON.stringify({ extra: 1 }) }, "params.gates"],
    [{ trainer_params: JSON.stringify({ numRounds: -3 }) }, "params.trainer_params.numRounds"],
    [{ trainer_params: JSON.stringify({ color: "red" }) }, "params.trainer_params.color"],
    [
      { trainer_params: JSON.stringify({ objective: "lambdarank" }) },
      "params.trainer_params.objective",
    ],
    [{ trainer_params: "[1]" }, "params.trainer_params"],
    [{ algorithm: "forest" }, "params.algorithm"],
    [{ holdout_fraction: "1.5" }, "params.holdout_fraction"],
    [{ model_name: "bad name" }, "params.model_name"],
  ];
  for (const [override, field] of cases) {
    const result = await runCli(
      server.home,
      "pipeline",
      "run",
      "builtin:training",
      ...flags({ ...base, ...override }),
      "--json",
    );
    assert.equal(result.code, 1, JSON.stringify(override));
    const error = JSON.parse(result.stderr);
    assert.equal(error.error_code, "PIPELINES_INVALID_PARAM", result.stderr);
    assert.equal(error.field, field, result.stderr);
  }
  assert.equal((await runs()).length, before, "nothing ran");

  const versions = async () =>
    (await server.platform.registry.versions.search({ filter: "name = 'churn'" })).items.length;
  const count = await versions();
  const bad = await runCli(
    server.home,
    "pipeline",
    "run",
    "builtin:training",
    ...flags({ ...base, label: "nope" }),
    "--json",
  );
  assert.equal(bad.code, 1);
  const run = JSON.parse(bad.stdout);
  assert.match(run.steps[0].error, /no column 'nope'/);
  assert.deepEqual(
    run.steps.map((s: { status: string }) => s.status),
    ["failed", "skipped", "skipped", "skipped"],
  );
  assert.equal(await versions(), count);
});
