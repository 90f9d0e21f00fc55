import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readCsvDataset } from "../dataset/read-csv-dataset.ts";
import type { FeatureColumn, TrainingDataset } from "../dataset/training-dataset.ts";
import {
  FRAUD_CATEGORICAL_FEATURES,
  FRAUD_CATEGORICAL_LEVELS,
  FRAUD_LABEL,
  FRAUD_MISSING_FEATURES,
  FRAUD_NUMERIC_FEATURES,
  generateFraudDataset,
  writeFraudCsv,
} from "./fraud-dataset.ts";

type Numeric = FeatureColumn & { kind: "numeric" };
type Categorical = FeatureColumn & { kind: "categorical" };
const column = <C extends FeatureColumn>(data: TrainingDataset, name: string) =>
  data.features.find((c) => c.name === name) as C;

const data = generateFraudDataset({ rows: 50_000, seed: 3 });

test("the same seed gives the same rows; another seed does not", () => {
  assert.deepEqual(
    generateFraudDataset({ rows: 2000, seed: 3 }),
    generateFraudDataset({ rows: 2000, seed: 3 }),
  );
  const other = generateFraudDataset({ rows: 2000, seed: 4 });
  assert.notDeepEqual(
    column<Numeric>(other, "n01").values,
    column<Numeric>(data, "n01").values.slice(0, 2000),
  );
  // A prefix of a longer set is the shorter set.
  const prefix = column<Numeric>(data, "n15").values.slice(0, 2000);
  assert.deepEqual(
    column<Numeric>(generateFraudDataset({ rows: 2000, seed: 3 }), "n15").values,
    prefix,
  );
});

test("shape: 28 numeric and 4 categorical features with 10/100/1000/50 levels", () => {
  assert.equal(data.numRows, 50_000);
  assert.deepEqual(
    data.features.map((c) => c.name),
    [...FRAUD_NUMERIC_FEATURES, ...FRAUD_CATEGORICAL_FEATURES],
  );
  assert.equal(FRAUD_NUMERIC_FEATURES.length, 28);
  FRAUD_CATEGORICAL_FEATURES.forEach((name, j) => {
    const { codes, dictionary } = column<Categorical>(data, name);
    assert.equal(dictionary.length, FRAUD_CATEGORICAL_LEVELS[j]);
    assert.equal(dictionary[17 % dictionary.length], `${name}_${17 % dictionary.length}`);
    const counts = new Int32Array(dictionary.length);
    for (const code of codes) counts[code]!++;
    assert.ok(codes.every((c) => c >= 0 && c < dictionary.length));
    // Zipf-skewed: level 0 is the most common and far above the last level.
    assert.equal(Math.max(...counts), counts[0]);
    assert.ok(counts[0]! > 5 * counts[dictionary.length - 1]!, `${name}: ${counts.join(" ")}`);
    const seen = counts.filter((n) => n > 0).length;
    assert.ok(seen >= Math.min(dictionary.length, 900), `${name}: ${seen} levels seen`);
  });
});

test("about 3% positives, 5% missing in four columns, none elsewhere", () => {
  const positives = data.label.reduce((sum, y) => sum + y, 0) / data.numRows;
  assert.ok(positives >= 0.02 && positives <= 0.04, `positive rate ${positives}`);
  assert.ok(data.label.every((y) => y === 0 || y === 1));
  for (const name of FRAUD_NUMERIC_FEATURES) {
    const values = column<Numeric>(data, name).values;
    const missing = values.filter(Number.isNaN).length / data.numRows;
    if (FRAUD_MISSING_FEATURES.includes(name)) {
      assert.ok(missing > 0.045 && missing < 0.055, `${name}: ${missing} missing`);
    } else {
      assert.equal(missing, 0, name);
    }
  }
});

test("distributions: correlated pairs, heavy tails, counts", () => {
  const values = (name: string) => column<Numeric>(data, name).values;
  const correlation = (a: Float64Array, b: Float64Array) => {
    let sa = 0;
    let sb = 0;
    let sab = 0;
    let saa = 0;
    let sbb = 0;
    let n = 0;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      const y = b[i]!;
      if (Number.isNaN(x) || Number.isNaN(y)) continue;
      n++;
      sa += x;
      sb += y;
      sab += x * y;
      saa += x * x;
      sbb += y * y;
    }
    return (
      (sab / n - (sa / n) * (sb / n)) /
      Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2))
    );
  };
  assert.ok(Math.abs(correlation(values("n09"), values("n10")) - 0.8) < 0.02);
  assert.ok(Math.abs(correlation(values("n11"), values("n12")) + 0.6) < 0.02);
  assert.ok(Math.abs(correlation(values("n13"), values("n14")) - 0.95) < 0.01);
  assert.ok(
    values("n15").every((v) => v > 0),
    "lognormal amounts are positive",
  );
  assert.ok(Math.max(...values("n23")) > 100, "Pareto(1.5) has a heavy tail");
  assert.ok(
    values("n28").every((v) => Number.isInteger(v) && v >= 0),
    "counts",
  );
  const mean = values("n28").reduce((s, v) => s + v, 0) / data.numRows;
  assert.ok(Math.abs(mean - 20) < 0.2, `Poisson(20) mean ${mean}`);
});

test("writeFraudCsv writes the same rows, and reads back exactly", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "plinth-fraud-")), "fraud.csv");
  let progress = 0;
  await writeFraudCsv(path, { rows: 20_000, seed: 3, onProgress: (rows) => (progress = rows) });
  assert.equal(progress, 20_000);
  assert.equal(existsSync(`${path}.tmp`), false);
  const header = readFileSync(path, "utf8").slice(0, 400).split("\n")[0];
  assert.equal(
    header,
    [...FRAUD_NUMERIC_FEATURES, ...FRAUD_CATEGORICAL_FEATURES, FRAUD_LABEL].join(","),
  );
  const read = await readCsvDataset(path, {
    label: FRAUD_LABEL,
    categorical: [...FRAUD_CATEGORICAL_FEATURES],
  });
  const expected = generateFraudDataset({ rows: 20_000, seed: 3 });
  assert.equal(read.numRows, 20_000);
  assert.deepEqual(read.label, expected.label);
  for (const name of FRAUD_NUMERIC_FEATURES) {
    assert.deepEqual(
      column<Numeric>(read, name).values,
      column<Numeric>(expected, name).values,
      name,
    );
  }
  for (const name of FRAUD_CATEGORICAL_FEATURES) {
    const a = column<Categorical>(read, name);
    const b = column<Categorical>(expected, name);
    for (let i = 0; i < read.numRows; i++) {
      assert.equal(a.dictionary[a.codes[i]!], b.dictionary[b.codes[i]!]);
    }
  }
});
