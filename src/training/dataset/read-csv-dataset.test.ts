import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { rejectsWithCode } from "../../core/testing/rejects-with-code.ts";
import { type ReadCsvDatasetOptions, readCsvDataset } from "./read-csv-dataset.ts";
import type { FeatureColumn, TrainingDataset } from "./training-dataset.ts";

const dir = mkdtempSync(join(tmpdir(), "plinth-csv-"));
let fileCount = 0;
const csvFile = (text: string | Buffer): string => {
  const path = join(dir, `f${fileCount++}.csv`);
  writeFileSync(path, text);
  return path;
};
const read = (text: string | Buffer, options: ReadCsvDatasetOptions) =>
  readCsvDataset(csvFile(text), options);

function numeric(data: TrainingDataset, name: string): number[] {
  const column = data.features.find((c) => c.name === name);
  assert.equal(column?.kind, "numeric", `${name} should be numeric`);
  return Array.from((column as FeatureColumn & { kind: "numeric" }).values);
}

function categories(data: TrainingDataset, name: string): (string | null)[] {
  const column = data.features.find((c) => c.name === name);
  assert.equal(column?.kind, "categorical", `${name} should be categorical`);
  const { codes, dictionary } = column as FeatureColumn & { kind: "categorical" };
  return Array.from(codes, (code) => (code < 0 ? null : dictionary[code]!));
}

async function rejectsMatching(promise: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(isPlinthError(e, "TRAINING_INVALID_DATA"), String(e));
    assert.match(e.message, pattern);
    return true;
  });
}

test("numeric and categorical columns; codes in order of first appearance", async () => {
  const data = await read("x,color,y\n1.5,red,0\n-2,blue,1\n3e2,red,1\n", {
    label: "y",
    categorical: ["color"],
  });
  assert.equal(data.numRows, 3);
  assert.deepEqual(
    data.features.map((c) => [c.name, c.kind]),
    [
      ["x", "numeric"],
      ["color", "categorical"],
    ],
  );
  assert.deepEqual(numeric(data, "x"), [1.5, -2, 300]);
  const color = data.features[1] as FeatureColumn & { kind: "categorical" };
  assert.deepEqual(Array.from(color.codes), [0, 1, 0]);
  assert.deepEqual(color.dictionary, ["red", "blue"]);
  assert.deepEqual(Array.from(data.label), [0, 1, 1]);
  assert.equal(data.weight, undefined);
});

test("quoted fields hold commas, doubled quotes and newlines; CRLF, BOM, blank lines", async () => {
  const text =
    '\uFEFFid,"note, quoted",y\r\n' +
    '1,"a, b",0\r\n' +
    "\r\n" +
    '"2","say ""hi""",1\r\n' +
    '3,"two\nlines",0\n' +
    "4,,1"; // no newline at the end
  const data = await read(text, { label: "y", categorical: ["note, quoted"] });
  assert.deepEqual(numeric(data, "id"), [1, 2, 3, 4]);
  assert.deepEqual(categories(data, "note, quoted"), ["a, b", 'say "hi"', "two\nlines", null]);
  assert.deepEqual(Array.from(data.label), [0, 1, 0, 1]);
});

test("missing values: blank, NA, NaN, nan (and blanks of spaces for numbers)", async () => {
  const data = await read('a,b,y\n,NA,1\nNA,,0\nNaN,NaN,1\nnan,x,0\n  ,nan,1\n7,"",0\n', {
    label: "y",
    categorical: ["b"],
  });
  assert.deepEqual(numeric(data, "a"), [
    Number.NaN,
    Number.NaN,
    Number.NaN,
    Number.NaN,
    Number.NaN,
    7,
  ]);
  assert.deepEqual(categories(data, "b"), [null, null, null, "x", null, null]);
});

test("numbers parse exactly as Number() does, on fast and slow paths", async () => {
  const values = [
    0,
    -0,
    1,
    -1,
    0.1,
    0.3,
    1e-7,
    123456.789,
    2 ** 53,
    1.7976931348623157e308,
    5e-324,
    Math.PI,
    -Math.E,
    1 / 3,
    1234567890123456,
    0.000001234,
  ];
  const random = createSeededRandom(11);
  for (let i = 0; i < 500; i++) {
    values.push((random.next() - 0.5) * 10 ** Math.floor(random.next() * 40 - 20));
  }
  const number = (v: number) => (Object.is(v, -0) ? "-0" : String(v));
  const texts = [...values.map(number), "+5", " 12 ", "1.", ".5", "1E3", "-inf", "Infinity"];
  const data = await read(`v,y\n${texts.map((t) => `${t},0`).join("\n")}\n`, { label: "y" });
  const expected = [...values, 5, 12, 1, 0.5, 1000, -Infinity, Infinity];
  const got = numeric(data, "v");
  expected.forEach((v, i) => {
    assert.ok(Object.is(got[i], v), `${texts[i]} → ${got[i]}, not ${v}`);
  });
});

test("any chunk size reads the same dataset", async () => {
  const rows: string[] = ['num,"cat",y'];
  for (let i = 0; i < 300; i++) {
    const cat = i % 7 === 0 ? `"q,""${i % 5}""\nz"` : i % 11 === 0 ? "" : `c${i % 13}`;
    rows.push(`${(i * 0.37).toFixed(3)},${cat},${i % 2}`);
  }
  const path = csvFile(rows.map((row, i) => row + (i % 3 === 0 ? "\r\n" : "\n")).join(""));
  const options = { label: "y", categorical: ["cat"] };
  const whole = await readCsvDataset(path, options);
  assert.equal(whole.numRows, 300);
  for (const chunkBytes of [1, 2, 3, 7, 64, 1000]) {
    assert.deepEqual(
      await readCsvDataset(path, { ...options, chunkBytes }),
      whole,
      `chunk ${chunkBytes}`,
    );
  }
});

test("features picks and orders columns; weight and group are read", async () => {
  const data = await read("q,a,b,w,y,skip\nq1,1,2,0.5,1,x\nq1,3,4,1,0,y\nq2,5,6,2,1,z\n", {
    label: "y",
    weight: "w",
    group: "q",
    features: ["b", "a"],
  });
  assert.deepEqual(
    data.features.map((c) => c.name),
    ["b", "a"],
  );
  assert.deepEqual(Array.from(data.weight!), [0.5, 1, 2]);
  assert.deepEqual(Array.from(data.group!), [0, 0, 1]);
});

test("reference: a test set extends the training dictionaries and keeps its columns", async () => {
  const train = await read("c,x,y\nb,1,0\na,2,1\n", { label: "y", categorical: ["c"] });
  const test = await read("x,c,y\n3,a,1\n4,z,0\n5,b,1\n", { label: "y", reference: train });
  assert.deepEqual(
    test.features.map((c) => c.name),
    ["c", "x"],
  );
  const column = test.features[0] as FeatureColumn & { kind: "categorical" };
  assert.deepEqual(column.dictionary, ["b", "a", "z"]);
  assert.deepEqual(Array.from(column.codes), [1, 2, 0]);
});

test("errors name the file, line and column", async () => {
  await rejectsWithCode(
    readCsvDataset(join(dir, "nope.csv"), { label: "y" }),
    "TRAINING_INVALID_DATA",
  );
  await rejectsMatching(read("a,b\n1,2\n", { label: "y" }), /no label column 'y'.*'a', 'b'/);
  await rejectsMatching(
    read("a,y\n1,0\n2,0\nabc,1\n", { label: "y" }),
    /line 4 has non-numeric value 'abc' in numeric column 'a'/,
  );
  await rejectsMatching(
    read("a,y\n1,0\n2\n", { label: "y" }),
    /line 3 has 1 cells; the header has 2/,
  );
  await rejectsMatching(read("a,y\n1,0\n2,0,5\n", { label: "y" }), /line 3 has 3 cells/);
  await rejectsMatching(read("", { label: "y" }), /is empty/);
  await rejectsMatching(read("\n\n", { label: "y" }), /is empty/);
  await rejectsMatching(read("a,y\n", { label: "y" }), /no data rows/);
  await rejectsMatching(read("a,y,a\n1,2,3\n", { label: "y" }), /repeats column name\(s\) 'a'/);
  await rejectsMatching(
    read('a,y\n"1,0\n', { label: "y" }),
    /line 2 has a quoted field that never closes/,
  );
  await rejectsMatching(
    read('a,y\n"1"x,0\n', { label: "y" }),
    /line 2 has 'x' after a closing quote/,
  );
  await rejectsMatching(read("a,y\n1,\n", { label: "y" }), /line 2 has no value in column 'y'/);
  await rejectsMatching(
    read("a,y\n1,0\n", { label: "y", categorical: ["b"] }),
    /no categorical column 'b'/,
  );
  await rejectsMatching(read("a,y\n0x1F,0\n", { label: "y" }), /non-numeric value '0x1F'/);
});

test("the line number counts newlines inside quoted fields", async () => {
  await rejectsMatching(
    read('a,c,y\n1,"x\ny",0\n2,z,1\nbad,z,1\n', { label: "y", categorical: ["c"] }),
    /line 5 has non-numeric value 'bad'/,
  );
});

test("line numbers stay right with CRLF and records cut by tiny chunks", async () => {
  for (const chunkBytes of [1, 2, 5, 1 << 20]) {
    await rejectsMatching(
      read('a,c,y\r\n1,"x\r\ny",0\r\n\r\n2,z,1\r\nbad,z,1\r\n', {
        label: "y",
        categorical: ["c"],
        chunkBytes,
      }),
      /line 6 has non-numeric value 'bad'/,
    );
  }
});

test("a UTF-8 category split across chunks decodes whole", async () => {
  const data = await read(Buffer.from("c,y\nnaïve café,1\n日本,0\nnaïve café,1\n"), {
    label: "y",
    categorical: ["c"],
    chunkBytes: 5,
  });
  assert.deepEqual(categories(data, "c"), ["naïve café", "日本", "naïve café"]);
});
