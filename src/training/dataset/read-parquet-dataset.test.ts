import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { rejectsWithCode } from "../../core/testing/rejects-with-code.ts";
import { writeFraudCsv } from "../synthetic/fraud-dataset.ts";
import { readCsvDataset } from "./read-csv-dataset.ts";
import { readParquetDataset } from "./read-parquet-dataset.ts";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "plinth-parquet-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs SQL in a fresh in-memory DuckDB: the tests' way to write Parquet files. */
async function duckdb(sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

test("a table read from Parquet equals the same table read from CSV", async () => {
  const csv = join(dir, "fraud.csv");
  const parquet = join(dir, "fraud.parquet");
  await writeFraudCsv(csv, { rows: 3000, seed: 5 });
  // Categoricals as text, numbers as DOUBLE, row order kept: the file a pandas user writes.
  await duckdb(
    `COPY (SELECT * FROM read_csv('${csv}', header = true, all_varchar = false,
       types = {'c1': 'VARCHAR', 'c2': 'VARCHAR', 'c3': 'VARCHAR', 'c4': 'VARCHAR'}))
     TO '${parquet}' (FORMAT parquet)`,
  );
  const options = { label: "is_fraud", categorical: ["c1", "c2", "c3", "c4"] };
  const fromCsv = await readCsvDataset(csv, options);
  const progress: number[] = [];
  const fromParquet = await readParquetDataset(parquet, {
    label: "is_fraud",
    onProgress: (rows) => progress.push(rows),
  });
  assert.deepEqual(fromParquet, fromCsv);
  assert.equal(progress.at(-1), 3000);

  // Validation data extends the training dictionaries, as the CSV reader does.
  const test = await readParquetDataset(parquet, { label: "is_fraud", reference: fromCsv });
  assert.deepEqual(test.features, fromCsv.features);
});

test("integer, decimal, boolean, null and weight columns", async () => {
  const path = join(dir, "types.parquet");
  await duckdb(
    `COPY (SELECT * FROM (VALUES
        (1::TINYINT, 2.5::DECIMAL(6,2), true, 'a', 1.5::FLOAT, 0, 7::BIGINT),
        (NULL, NULL, false, NULL, 2.0::FLOAT, 1, 8::BIGINT),
        (3::TINYINT, -1.25::DECIMAL(6,2), NULL, 'b', 0.5::FLOAT, 1, 7::BIGINT)
      ) t(small, money, flag, name, w, y, code))
     TO '${path}' (FORMAT parquet)`,
  );
  const data = await readParquetDataset(path, {
    label: "y",
    weight: "w",
    categorical: ["code"],
  });
  assert.deepEqual(
    data.features.map((c) => [c.name, c.kind]),
    [
      ["small", "numeric"],
      ["money", "numeric"],
      ["flag", "categorical"],
      ["name", "categorical"],
      ["code", "categorical"],
    ],
  );
  const small = data.features[0];
  assert.ok(small?.kind === "numeric");
  assert.deepEqual(Array.from(small.values), [1, Number.NaN, 3]);
  const money = data.features[1];
  assert.ok(money?.kind === "numeric");
  assert.deepEqual(Array.from(money.values), [2.5, Number.NaN, -1.25]);
  const flag = data.features[2];
  assert.ok(flag?.kind === "categorical");
  assert.deepEqual(Array.from(flag.codes), [0, 1, -1]);
  assert.deepEqual(flag.dictionary, ["true", "false"]);
  const code = data.features[4];
  assert.ok(code?.kind === "categorical");
  assert.deepEqual(code.dictionary, ["7", "8"]);
  assert.deepEqual(Array.from(data.weight ?? []), [1.5, 2, 0.5]);
  assert.deepEqual(Array.from(data.label), [0, 1, 1]);
});

test("bad files and columns are typed errors naming the field", async () => {
  const good = join(dir, "good.parquet");
  await duckdb(
    `COPY (SELECT 1.0 AS x, DATE '2024-01-01' AS day, [1, 2] AS list, 0 AS y,
            CAST(NULL AS DOUBLE) AS broken_label)
     TO '${good}' (FORMAT parquet)`,
  );
  const empty = join(dir, "empty.parquet");
  await duckdb(`COPY (SELECT 1.0 AS x, 0 AS y WHERE false) TO '${empty}' (FORMAT parquet)`);
  const notParquet = join(dir, "not.parquet");
  writeFileSync(notParquet, "x,y\n1,0\n");
  const label = { label: "y" };
  await rejectsWithCode(
    readParquetDataset(join(dir, "missing.parquet"), label),
    "TRAINING_INVALID_DATA",
    "path",
  );
  await rejectsWithCode(readParquetDataset(notParquet, label), "TRAINING_INVALID_DATA", "path");
  await rejectsWithCode(readParquetDataset(empty, label), "TRAINING_INVALID_DATA", "path");
  await rejectsWithCode(
    readParquetDataset(good, { label: "y", features: ["x", "day"] }),
    "TRAINING_INVALID_DATA",
    "day",
  );
  await rejectsWithCode(
    readParquetDataset(good, { label: "y", features: ["list"] }),
    "TRAINING_INVALID_DATA",
    "list",
  );
  await rejectsWithCode(
    readParquetDataset(good, { label: "nope", features: ["x"] }),
    "TRAINING_INVALID_DATA",
    "nope",
  );
  await rejectsWithCode(
    readParquetDataset(good, { label: "broken_label", features: ["x"] }),
    "TRAINING_INVALID_DATA",
    "broken_label",
  );
  // A hostile column name is quoted, never interpolated.
  const hostile = join(dir, "hostile.parquet");
  await duckdb(
    `COPY (SELECT 1.0 AS "x"")); DROP TABLE t; --", 0 AS y) TO '${hostile}' (FORMAT parquet)`,
  );
  const data = await readParquetDataset(hostile, label);
  assert.equal(data.features[0]?.name, 'x")); DROP TABLE t; --');
});
