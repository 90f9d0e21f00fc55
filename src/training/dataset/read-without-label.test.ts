import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { datasetFromColumns } from "./dataset-from-columns.ts";
import { readCsvDataset } from "./read-csv-dataset.ts";
import { readParquetDataset } from "./read-parquet-dataset.ts";

// Tables to score or monitor have no label column: every reader takes `label` as optional.

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "plinth-nolabel-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("CSV, Parquet and frames read without a label give every column as a feature", async () => {
  const csv = join(dir, "t.csv");
  writeFileSync(csv, "a,b\n1,x\n2,y\n,x\n");
  const fromCsv = await readCsvDataset(csv, { categorical: ["b"] });
  assert.deepEqual(
    fromCsv.features.map((f) => f.name),
    ["a", "b"],
  );
  assert.equal(fromCsv.label.length, 3);
  assert.ok(fromCsv.label.every(Number.isNaN));

  const parquet = join(dir, "t.parquet");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run(
    `COPY (SELECT * FROM read_csv('${csv}', header = true)) TO '${parquet}' (FORMAT parquet)`,
  );
  connection.closeSync();
  instance.closeSync();
  const fromParquet = await readParquetDataset(parquet, {});
  assert.deepEqual(fromParquet.features, fromCsv.features);

  const frame = datasetFromColumns({ columns: { a: [1, 2, null], b: ["x", "y", "x"] } });
  assert.deepEqual(frame.features, fromCsv.features);
  assert.ok(frame.label.every(Number.isNaN));
});
