import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { createMlflowArtifactKey } from "../../artifacts/mlflow-artifact-key.ts";
import { resolveConfig } from "../../core/config.ts";
import { createLogger } from "../../core/logger.ts";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { readModelPackage } from "../../models/package/model-package.ts";
import { openPlatform } from "../../platform.ts";
import { main } from "../main.ts";

let home: string;
let csv: string;

before(() => {
  home = mkdtempSync(join(tmpdir(), "plinth-train-"));
  csv = join(home, "data.csv");
  const rng = createSeededRandom(8);
  const lines = ["amount,merchant,hour,is_fraud"];
  for (let i = 0; i < 3000; i++) {
    const amount = rng.next() * 100;
    const merchant = `m${rng.nextInt(6)}`;
    const hour = rng.nextInt(24);
    const z = amount / 25 - 2 + (merchant === "m3" ? 1.5 : 0) + (hour < 5 ? 1 : 0);
    const y = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    lines.push(`${rng.next() < 0.05 ? "" : amount.toFixed(3)},${merchant},${hour},${y}`);
  }
  writeFileSync(csv, `${lines.join("\n")}\n`);
});
after(() => rmSync(home, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...argv, "--home", home], {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

test("plinth train logs params, per-round metrics, final metrics and a loadable model package", async () => {
  const result = await cli(
    "train",
    "--data",
    csv,
    "--label",
    "is_fraud",
    "--categorical",
    "merchant",
    "--rounds",
    "30",
    "--max-depth",
    "4",
    "--experiment",
    "fraud",
    "--json",
  );
  assert.equal(result.code, 0, result.stderr);
  const out = JSON.parse(result.stdout) as {
    runId: string;
    artifactUri: string;
    metrics: Record<string, number>;
  };
  assert.ok((out.metrics.auc as number) > 0.7, `auc ${out.metrics.auc}`);

  const platform = await openPlatform(resolveConfig({ overrides: { home }, env: {} }), {
    logger: createLogger({ level: "silent" }),
  });
  try {
    const run = await platform.tracking.runs.get(out.runId);
    assert.equal(run.info.status, "FINISHED");
    assert.equal(run.data.params.find((p) => p.key === "maxDepth")?.value, "4");
    const history = await platform.tracking.runs.metricHistory(out.runId, "valid_logloss");
    assert.deepEqual(
      history.items.map((m) => m.step),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.ok(run.data.metrics.some((m) => m.key === "auc"));
    // Download the package from the artifact store and load it.
    const local = join(home, "downloaded");
    await mkdir(local);
    for (const file of ["manifest.json", "model.json"]) {
      const stream = await platform.artifacts.get(
        createMlflowArtifactKey(`${out.artifactUri}/${file}`),
      );
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      await writeFile(join(local, file), Buffer.concat(chunks));
    }
    const loaded = await readModelPackage(local);
    assert.deepEqual(
      loaded.manifest.inputs.map((i) => i.name),
      ["amount", "merchant", "hour"],
    );
    assert.equal(loaded.manifest.inputs[1]?.type, "category");
    assert.equal(loaded.manifest.task, "binary");
    assert.match(loaded.manifest.trainingDatasetHash ?? "", /^[0-9a-f]{64}$/);
    assert.equal(
      run.data.tags.find((t) => t.key === "plinth.model_sha256")?.value,
      loaded.manifest.modelSha256,
    );
  } finally {
    await platform.close();
  }
});

test("plinth train reads a Parquet file as it reads the same table in CSV", async () => {
  const parquet = join(home, "data.parquet");
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  await connection.run(
    `COPY (SELECT * FROM read_csv('${csv}', header = true)) TO '${parquet}' (FORMAT parquet)`,
  );
  connection.closeSync();
  db.closeSync();
  const common = ["--label", "is_fraud", "--categorical", "merchant", "--rounds", "10", "--json"];
  const fromCsv = await cli("train", "--data", csv, ...common);
  const fromParquet = await cli("train", "--data", parquet, ...common);
  assert.equal(fromParquet.code, 0, fromParquet.stderr);
  const metricsOf = (stdout: string) => (JSON.parse(stdout) as { metrics: unknown }).metrics;
  assert.deepEqual(metricsOf(fromParquet.stdout), metricsOf(fromCsv.stdout));
});

test("plinth train refuses bad input with a typed error and exit code", async () => {
  const missing = await cli("train", "--label", "is_fraud");
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--data/);
  const badFlag = await cli("train", "--data", csv, "--label", "is_fraud", "--rounds", "ten");
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /rounds/);
  const badLabel = await cli("train", "--data", csv, "--label", "nope");
  assert.equal(badLabel.code, 1);
  assert.match(badLabel.stderr, /TRAINING_INVALID_DATA/);
  const badParam = await cli(
    "train",
    "--data",
    csv,
    "--label",
    "is_fraud",
    "--max-depth=-3",
    "--json",
  );
  assert.equal(badParam.code, 1);
  assert.equal(JSON.parse(badParam.stderr).field, "maxDepth");
  const noFile = await cli("train", "--data", join(home, "absent.csv"), "--label", "is_fraud");
  assert.notEqual(noFile.code, 0);
  assert.notEqual(noFile.code, 70);
});

test("plinth train --algorithm linear logs params, metrics and a loadable linear package", async () => {
  const numericCsv = join(home, "numeric.csv");
  const rng = createSeededRandom(11);
  const lines = ["amount,hour,noise,is_fraud"];
  for (let i = 0; i < 2000; i++) {
    const amount = rng.next() * 100;
    const hour = rng.nextInt(24);
    const z = amount / 25 - 2 + (hour < 5 ? 1 : 0);
    const y = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    const shown = rng.next() < 0.05 ? "" : amount.toFixed(3);
    lines.push(`${shown},${hour},${rng.next().toFixed(4)},${y}`);
  }
  writeFileSync(numericCsv, `${lines.join("\n")}\n`);
  const result = await cli(
    "train",
    "--data",
    numericCsv,
    "--label",
    "is_fraud",
    "--algorithm",
    "linear",
    "--alpha",
    "0.01",
    "--l1-ratio",
    "1",
    "--experiment",
    "fraud-linear",
    "--json",
  );
  assert.equal(result.code, 0, result.stderr);
  const out = JSON.parse(result.stdout) as {
    runId: string;
    artifactUri: string;
    metrics: Record<string, number>;
  };
  assert.ok((out.metrics.auc as number) > 0.7, `auc ${out.metrics.auc}`);
  assert.equal(out.metrics.converged, 1);

  const platform = await openPlatform(resolveConfig({ overrides: { home }, env: {} }), {
    logger: createLogger({ level: "silent" }),
  });
  try {
    const run = await platform.tracking.runs.get(out.runId);
    assert.equal(run.info.status, "FINISHED");
    const param = (key: string) => run.data.params.find((p) => p.key === key)?.value;
    assert.equal(param("algorithm"), "linear");
    assert.equal(param("alpha"), "0.01");
    assert.equal(param("l1Ratio"), "1");
    assert.equal(run.data.tags.find((t) => t.key === "plinth.flavour")?.value, "plinth-linear");
    assert.ok(run.data.metrics.some((m) => m.key === "logloss"));
    const objective = await platform.tracking.runs.metricHistory(out.runId, "train_objective");
    assert.equal(objective.items.length, out.metrics.iterations);
    const values = objective.items.map((m) => m.value);
    values.slice(1).forEach((v, i) => {
      assert.ok(v <= (values[i] as number), "the objective never increases");
    });
    assert.equal(values.at(-1), out.metrics.objective);
    const local = join(home, "downloaded-linear");
    await mkdir(local);
    for (const file of ["manifest.json", "model.json"]) {
      const stream = await platform.artifacts.get(
        createMlflowArtifactKey(`${out.artifactUri}/${file}`),
      );
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      await writeFile(join(local, file), Buffer.concat(chunks));
    }
    const loaded = await readModelPackage(local);
    assert.equal(loaded.manifest.flavour, "plinth-linear");
    assert.equal(loaded.model.kind, "linear");
    assert.deepEqual(
      loaded.manifest.inputs.map((i) => i.name),
      ["amount", "hour", "noise"],
    );
  } finally {
    await platform.close();
  }

  // Categorical columns, GBDT-only flags and unknown algorithms are refused by name.
  const categorical = await cli(
    "train",
    "--data",
    csv,
    "--label",
    "is_fraud",
    "--categorical",
    "merchant",
    "--algorithm",
    "linear",
    "--json",
  );
  assert.equal(categorical.code, 1);
  assert.equal(JSON.parse(categorical.stderr).field, "merchant");
  const gbdtFlag = await cli(
    "train",
    "--data",
    numericCsv,
    "--label",
    "is_fraud",
    "--algorithm",
    "linear",
    "--max-depth",
    "3",
  );
  assert.equal(gbdtFlag.code, 2);
  assert.match(gbdtFlag.stderr, /max-depth/);
  const badAlpha = await cli(
    "train",
    "--data",
    numericCsv,
    "--label",
    "is_fraud",
    "--algorithm",
    "linear",
    "--alpha=-1",
    "--json",
  );
  assert.equal(badAlpha.code, 1);
  assert.equal(JSON.parse(badAlpha.stderr).field, "alpha");
  const badAlgorithm = await cli(
    "train",
    "--data",
    csv,
    "--label",
    "is_fraud",
    "--algorithm",
    "svm",
  );
  assert.equal(badAlgorithm.code, 2);
  assert.match(badAlgorithm.stderr, /algorithm/);
});
