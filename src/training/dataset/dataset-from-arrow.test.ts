import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  Bool,
  DateDay,
  Float32,
  Int64,
  Table,
  tableFromArrays,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import { rejectsWithCode } from "../../core/testing/rejects-with-code.ts";
import { throwsWithCode } from "../../models/testing/throws-with-code.ts";
import { datasetFromArrow, readArrowDataset } from "./dataset-from-arrow.ts";
import { readCsvDataset } from "./read-csv-dataset.ts";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "plinth-arrow-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("an Arrow IPC file gives the dataset the CSV reader gives for the same table", async () => {
  const amount = [12.5, null, 3.25, 80, 0.5, 7];
  const merchant = ["a", "b", null, "a", "c", "b"];
  const count = [1, 2, 3, null, 5, 6];
  const label = [0, 1, 0, 1, 1, 0];
  const csv = join(dir, "same.csv");
  const text = amount.map(
    (_, i) => `${amount[i] ?? ""},${merchant[i] ?? ""},${count[i] ?? ""},${label[i]}`,
  );
  writeFileSync(csv, `amount,merchant,count,y\n${text.join("\n")}\n`);
  const table = new Table({
    amount: vectorFromArray(amount, new Float32()),
    merchant: vectorFromArray(merchant, new Utf8()),
    count: vectorFromArray(
      count.map((v) => (v === null ? null : BigInt(v))),
      new Int64(),
    ),
    y: vectorFromArray(label),
  });
  const arrow = join(dir, "same.arrow");
  writeFileSync(arrow, tableToIPC(table, "file"));
  const fromCsv = await readCsvDataset(csv, { label: "y", categorical: ["merchant"] });
  assert.deepEqual(await readArrowDataset(arrow, { label: "y" }), fromCsv);
});

test("dictionary and boolean columns are categories; `categorical` makes numbers categories", () => {
  const table = tableFromArrays({
    city: ["paris", "rome", "paris"],
    zip: Float64Array.from([75, 0, 75]),
    y: Float64Array.from([1, 0, 1]),
  });
  const withFlag = new Table({
    city: table.getChild("city")!,
    zip: table.getChild("zip")!,
    flag: vectorFromArray([true, null, false], new Bool()),
    y: table.getChild("y")!,
  });
  const data = datasetFromArrow(withFlag, { label: "y", categorical: ["zip"] });
  assert.deepEqual(
    data.features.map((c) => (c.kind === "categorical" ? [c.name, c.dictionary] : [c.name])),
    [
      ["city", ["paris", "rome"]],
      ["zip", ["75", "0"]],
      ["flag", ["true", "false"]],
    ],
  );
  const flag = data.features[2];
  assert.ok(flag?.kind === "categorical");
  assert.deepEqual(Array.from(flag.codes), [0, -1, 1]);
});

test("bad tables and files are typed errors naming the field", async () => {
  const table = new Table({
    day: vectorFromArray([1, 2], new DateDay()),
    x: vectorFromArray([1, 2]),
    y: vectorFromArray([0, null]),
  });
  throwsWithCode(
    () => datasetFromArrow(table, { label: "y", features: ["day"] }),
    "TRAINING_INVALID_DATA",
    "day",
  );
  throwsWithCode(
    () => datasetFromArrow(table, { label: "nope", features: ["x"] }),
    "TRAINING_INVALID_DATA",
    "nope",
  );
  throwsWithCode(
    () => datasetFromArrow(table, { label: "y", features: ["x"] }),
    "TRAINING_INVALID_DATA",
    "y",
  );
  const garbage = join(dir, "garbage.arrow");
  writeFileSync(garbage, "definitely,not\narrow,1\n");
  await rejectsWithCode(readArrowDataset(garbage, { label: "y" }), "TRAINING_INVALID_DATA", "path");
  await rejectsWithCode(
    readArrowDataset(join(dir, "missing.arrow"), { label: "y" }),
    "TRAINING_INVALID_DATA",
    "path",
  );
});
