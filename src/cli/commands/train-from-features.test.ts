import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { resolveConfig } from "../../core/config.ts";
import { createLogger } from "../../core/logger.ts";
import { loadFeatureDefinitions } from "../../features/definitions/load-feature-definitions.ts";
import { createDuckDbOfflineStore } from "../../features/offline/duckdb/create-duckdb-offline-store.ts";
import { writeSyntheticFeatureRepo } from "../../pipelines/builtin/training/testing/synthetic-feature-repo.ts";
import { openPlatform } from "../../platform.ts";
import { runCli } from "../testing/run-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "plinth-train-service-"));
const home = join(dir, "home");
after(() => rmSync(dir, { recursive: true, force: true }));
const repo = writeSyntheticFeatureRepo(dir, { rows: 600 });

test("plinth train --service trains on the point-in-time training set of a feature service", async () => {
  const common = ["--service", "churn_v1", "--entities", repo.entities, "--module", repo.features];
  const result = await runCli(
    home,
    "train",
    ...common,
    "--label",
    "is_churn",
    "--rounds",
    "20",
    "--max-depth",
    "3",
    "--json",
  );
  assert.equal(result.code, 0, result.stderr);
  const out = JSON.parse(result.stdout) as { runId: string; metrics: Record<string, number> };
  // The label depends on the features as of each row's time: a model that sees them learns it.
  assert.ok((out.metrics.auc as number) > 0.75, `auc ${out.metrics.auc}`);

  // The run's dataset hash is the training set's lineage hash, as the offline store gives it.
  const job = createDuckDbOfflineStore(
    await loadFeatureDefinitions(repo.features),
  ).getHistoricalFeatures({ csv: repo.entities }, "churn_v1");
  const lineage = await job.lineage();
  await job.close();
  const platform = await openPlatform(resolveConfig({ overrides: { home }, env: {} }), {
    logger: createLogger({ level: "silent" }),
  });
  try {
    const run = await platform.tracking.runs.get(out.runId);
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
    const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
    const recorded = Object.values({ ...tags, ...params }).filter((v) => v === lineage.hash);
    assert.ok(recorded.length > 0, "the run records the training set's lineage hash");
  } finally {
    await platform.close();
  }
});

test("plinth train --service refuses bad combinations and unknown names with typed errors", async () => {
  const base = ["--module", repo.features, "--label", "is_churn"];
  const noEntities = await runCli(home, "train", "--service", "churn_v1", ...base);
  assert.equal(noEntities.code, 2);
  assert.match(noEntities.stderr, /--entities/);
  const both = await runCli(
    home,
    "train",
    "--service",
    "churn_v1",
    "--entities",
    repo.entities,
    "--data",
    repo.entities,
    ...base,
  );
  assert.equal(both.code, 2);
  assert.match(both.stderr, /either --data/);
  const badFile = await runCli(
    home,
    "train",
    "--service",
    "churn_v1",
    "--entities",
    join(dir, "labels.txt"),
    ...base,
  );
  assert.equal(badFile.code, 2);
  assert.match(badFile.stderr, /entities/);
  const unknown = await runCli(
    home,
    "train",
    "--service",
    "nope",
    "--entities",
    repo.entities,
    ...base,
  );
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /FEATURES_UNKNOWN_SERVICE/);
  const badLabel = await runCli(
    home,
    "train",
    "--service",
    "churn_v1",
    "--entities",
    repo.entities,
    "--module",
    repo.features,
    "--label",
    "f1",
  );
  assert.equal(badLabel.code, 1);
  assert.match(badLabel.stderr, /TRAINING_INVALID_DATA|label/);
});
