import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { rejectsWithCode } from "../../core/testing/rejects-with-code.ts";
import { makeDataset } from "../../training/gbdt/testing/synthetic-sets.ts";
import { trainGbdt } from "../../training/gbdt/train-gbdt.ts";
import { trainLinear } from "../../training/linear/train-linear.ts";
import { predictLinear } from "../linear-predictor.ts";
import { predict } from "../tree-predictor.ts";
import { type ModelPackageContent, readModelPackage, writeModelPackage } from "./model-package.ts";

async function trainedModel() {
  const data = makeDataset({
    rows: 2000,
    numeric: 3,
    seed: 4,
    categoryLevels: 7,
    missingRate: 0.1,
    labelOf: (x, c, u) => (u < 1 / (1 + Math.exp(-(x(0) || 0) - (c % 3) + 1)) ? 1 : 0),
  });
  const model = await trainGbdt(data, {
    objective: "binary",
    numRounds: 20,
    maxDepth: 4,
    numThreads: 1,
  });
  const content: ModelPackageContent = {
    task: "binary",
    inputs: [
      { name: "x0", type: "float64" },
      { name: "x1", type: "float64" },
      { name: "x2", type: "float64" },
      {
        name: "category",
        type: "category",
        categories: ["c0", "c1", "c2", "c3", "c4", "c5", "c6"],
      },
    ],
    outputs: ["probability"],
    featureService: "fraud_v1",
    trainingDatasetHash: "a".repeat(64),
    metrics: { auc: 0.9 },
    params: { maxDepth: 4 },
  };
  return { model, content };
}

test("a model package round-trips: same manifest, same predictions", async () => {
  const { model, content } = await trainedModel();
  const dir = join(await mkdtemp(join(tmpdir(), "plinth-pkg-")), "model");
  const written = await writeModelPackage(
    dir,
    { kind: "tree-ensemble", ensemble: model.ensemble },
    content,
  );
  assert.deepEqual((await readdir(dir)).sort(), ["manifest.json", "model.json"]);
  const loaded = await readModelPackage(dir);
  assert.deepEqual(loaded.manifest, written);
  assert.equal(loaded.manifest.flavour, "plinth-gbdt");
  assert.equal(loaded.manifest.featureService, "fraud_v1");
  const rows = new Float64Array(400 * 4).map((_, i) => (i % 4 === 3 ? i % 9 : Math.sin(i)));
  rows[5] = Number.NaN;
  assert.equal(loaded.model.kind, "tree-ensemble");
  if (loaded.model.kind !== "tree-ensemble") return;
  assert.deepEqual(predict(loaded.model.ensemble, rows, 400), predict(model.ensemble, rows, 400));
});

test("a package refuses to overwrite, and corrupt or mismatched packages are refused on load", async () => {
  const { model, content } = await trainedModel();
  const root = await mkdtemp(join(tmpdir(), "plinth-pkg-"));
  const dir = join(root, "model");
  await writeModelPackage(dir, { kind: "tree-ensemble", ensemble: model.ensemble }, content);
  await rejectsWithCode(
    writeModelPackage(dir, { kind: "tree-ensemble", ensemble: model.ensemble }, content),
    "INVALID_ARGUMENT",
    "dir",
  );
  await rejectsWithCode(
    writeModelPackage(
      join(root, "other"),
      { kind: "tree-ensemble", ensemble: model.ensemble },
      {
        ...content,
        inputs: content.inputs.slice(1),
      },
    ),
    "MODELS_INVALID_PACKAGE",
    "inputs",
  );
  await rejectsWithCode(
    writeModelPackage(
      join(root, "bad-hash"),
      { kind: "tree-ensemble", ensemble: model.ensemble },
      {
        ...content,
        trainingDatasetHash: "xyz",
      },
    ),
    "MODELS_INVALID_PACKAGE",
    "trainingDatasetHash",
  );
  // Nothing half-written is left behind by the refused writes.
  assert.deepEqual((await readdir(root)).sort(), ["model"]);

  const modelFile = join(dir, "model.json");
  const original = await readFile(modelFile, "utf8");
  await writeFile(modelFile, `${original} `);
  await rejectsWithCode(readModelPackage(dir), "MODELS_INVALID_PACKAGE", "modelSha256");
  await writeFile(modelFile, original);
  const manifestFile = join(dir, "manifest.json");
  const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as Record<string, unknown>;
  await writeFile(manifestFile, JSON.stringify({ ...manifest, formatVersion: 2 }));
  await rejectsWithCode(readModelPackage(dir), "MODELS_INVALID_PACKAGE", "formatVersion");
  await writeFile(manifestFile, "{not json");
  await rejectsWithCode(readModelPackage(dir), "MODELS_INVALID_PACKAGE", "manifest.json");
  await rejectsWithCode(
    readModelPackage(join(root, "missing")),
    "MODELS_INVALID_PACKAGE",
    "manifest.json",
  );
});

test("a linear model package round-trips with flavour plinth-linear and refuses category inputs", async () => {
  const data = makeDataset({
    rows: 500,
    numeric: 3,
    seed: 9,
    missingRate: 0.1,
    labelOf: (x, _c, u) => (u < 1 / (1 + Math.exp(-(x(0) || 0) + (x(1) || 0))) ? 1 : 0),
  });
  const { model } = trainLinear(data, { objective: "binary", alpha: 0.01, l1Ratio: 0.5 });
  const content: ModelPackageContent = {
    task: "binary",
    inputs: data.features.map((c) => ({ name: c.name, type: "float64" as const })),
    outputs: ["probability"],
    featureService: null,
    trainingDatasetHash: null,
    metrics: {},
    params: { alpha: 0.01, l1Ratio: 0.5 },
  };
  const root = await mkdtemp(join(tmpdir(), "plinth-pkg-"));
  const written = await writeModelPackage(join(root, "linear"), { kind: "linear", model }, content);
  assert.equal(written.flavour, "plinth-linear");
  const loaded = await readModelPackage(join(root, "linear"));
  assert.deepEqual(loaded.manifest, written);
  assert.equal(loaded.model.kind, "linear");
  if (loaded.model.kind !== "linear") return;
  assert.deepEqual(loaded.model.model, model);
  const rows = new Float64Array(50 * 3).map((_, i) => (i % 11 === 0 ? Number.NaN : Math.cos(i)));
  assert.deepEqual(predictLinear(loaded.model.model, rows, 50), predictLinear(model, rows, 50));
  await rejectsWithCode(
    writeModelPackage(
      join(root, "category"),
      { kind: "linear", model },
      {
        ...content,
        inputs: [
          ...content.inputs.slice(0, 2),
          { name: "x2", type: "category", categories: ["a"] },
        ],
      },
    ),
    "MODELS_INVALID_PACKAGE",
    "inputs",
  );
  await rejectsWithCode(
    writeModelPackage(
      join(root, "outputs"),
      { kind: "linear", model },
      {
        ...content,
        outputs: ["p0", "p1"],
      },
    ),
    "MODELS_INVALID_PACKAGE",
    "outputs",
  );
});
