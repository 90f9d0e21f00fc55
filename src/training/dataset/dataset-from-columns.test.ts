import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { datasetFromColumns } from "./dataset-from-columns.ts";
import { readCsvDataset } from "./read-csv-dataset.ts";
import { toRowMajor } from "./to-row-major.ts";
import type { FeatureColumn } from "./training-dataset.ts";

const frame = {
  amount: Float64Array.of(12.5, Number.NaN, 3.25, 80, -1),
  merchant: ["shop, inc", 'say "hi"', null, "shop, inc", "line\nbreak"],
  hour: [1, 2, null, 4, 5],
  country: [44, 1, 44, Number.NaN, 33],
  fraud: [0, 1, 0, 0, 1],
};

test("string columns become categoricals coded by first appearance; numbers stay numeric", () => {
  const data = datasetFromColumns({ columns: frame, label: "fraud", categorical: ["country"] });
  assert.equal(data.numRows, 5);
  const [amount, merchant, hour, country] = data.features as [
    FeatureColumn & { kind: "numeric" },
    FeatureColumn & { kind: "categorical" },
    FeatureColumn & { kind: "numeric" },
    FeatureColumn & { kind: "categorical" },
  ];
  assert.equal(amount.values, frame.amount, "a Float64Array column is used without a copy");
  assert.deepEqual(Array.from(merchant.codes), [0, 1, -1, 0, 2]);
  assert.deepEqual(merchant.dictionary, ["shop, inc", 'say "hi"', "line\nbreak"]);
  assert.deepEqual(Array.from(hour.values), [1, 2, Number.NaN, 4, 5]);
  assert.deepEqual(country.dictionary, ["44", "1", "33"]);
  assert.deepEqual(Array.from(country.codes), [0, 1, 0, -1, 2]);
  assert.deepEqual(Array.from(data.label), [0, 1, 0, 0, 1]);
});

test("toRowMajor lays rows out one after another, codes as numbers, -1 as NaN", () => {
  const data = datasetFromColumns({ columns: frame, label: "fraud", categorical: ["country"] });
  const rows = toRowMajor(data);
  assert.equal(rows.length, 5 * 4);
  assert.deepEqual(Array.from(rows.subarray(0, 4)), [12.5, 0, 1, 0]);
  assert.deepEqual(Array.from(rows.subarray(8, 12)), [3.25, Number.NaN, Number.NaN, 0]);
  assert.deepEqual(Array.from(rows.subarray(12, 16)), [80, 0, 4, Number.NaN]);
});

test("toRowMajor handles more rows than one block", () => {
  const n = 2500;
  const data = datasetFromColumns({
    columns: {
      a: Float64Array.from({ length: n }, (_, i) => i),
      b: Array.from({ length: n }, (_, i) => `v${i % 3}`),
      y: new Array<number>(n).fill(0),
    },
    label: "y",
  });
  const rows = toRowMajor(data);
  for (let i = 0; i < n; i++) {
    assert.equal(rows[i * 2], i);
    assert.equal(rows[i * 2 + 1], i % 3);
  }
});

test("round trip: a frame written as CSV reads back to the same dataset", async () => {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) return "";
    const text = String(v);
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const names = Object.keys(frame) as (keyof typeof frame)[];
  const lines = [names.join(",")];
  for (let i = 0; i < 5; i++) lines.push(names.map((name) => cell(frame[name][i])).join(","));
  const path = join(mkdtempSync(join(tmpdir(), "plinth-frame-")), "frame.csv");
  writeFileSync(path, `${lines.join("\n")}\n`);
  const options = { label: "fraud", categorical: ["merchant", "country"] };
  const fromCsv = await readCsvDataset(path, options);
  const fromFrame = datasetFromColumns({ columns: frame, ...options });
  assert.deepEqual(fromCsv, fromFrame);
  assert.deepEqual(toRowMajor(fromCsv), toRowMajor(fromFrame));
});

test("reference extends the training dictionary", () => {
  const train = datasetFromColumns({ columns: { c: ["b", "a"], y: [0, 1] }, label: "y" });
  const test = datasetFromColumns({
    columns: { c: ["a", "z"], y: [1, 0] },
    label: "y",
    reference: train,
  });
  const column = test.features[0] as FeatureColumn & { kind: "categorical" };
  assert.deepEqual(column.dictionary, ["b", "a", "z"]);
  assert.deepEqual(Array.from(column.codes), [1, 2]);
});

test("errors name the column", () => {
  const fails = (run: () => unknown, pattern: RegExp) =>
    assert.throws(run, (e: unknown) => {
      assert.ok(isPlinthError(e, "TRAINING_INVALID_DATA"), String(e));
      assert.match(e.message, pattern);
      return true;
    });
  fails(
    () => datasetFromColumns({ columns: { a: [1, 2], y: [0] }, label: "y" }),
    /'y' has 1 values/,
  );
  fails(() => datasetFromColumns({ columns: { a: [1] }, label: "y" }), /no label column 'y'.*'a'/);
  fails(
    () => datasetFromColumns({ columns: { a: [1], y: ["yes"] }, label: "y" }),
    /non-numeric value 'yes'/,
  );
  fails(
    () => datasetFromColumns({ columns: { a: [1, 2], y: [0, null] }, label: "y" }),
    /'y' has no value at row 1/,
  );
  fails(() => datasetFromColumns({ columns: {}, label: "y" }), /no rows/);
});
