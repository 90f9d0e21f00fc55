import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { profileFromJson } from "../../monitoring/profile/profile-json.ts";
import { runCli } from "../testing/run-cli.ts";

let home: string;
let reference: string;
let current: string;
before(() => {
  home = mkdtempSync(join(tmpdir(), "plinth-monitor-"));
  reference = join(home, "reference.csv");
  current = join(home, "current.csv");
  writeTable(reference, {
    rows: 1500,
    shift: 0,
    seed: 1,
    labelled: 1,
    newMerchants: false,
    dropAge: false,
  });
  writeTable(current, {
    rows: 1200,
    shift: 1,
    seed: 2,
    labelled: 0.5,
    newMerchants: true,
    dropAge: true,
  });
});
after(() => rmSync(home, { recursive: true, force: true }));

const cli = (...argv: string[]) => runCli(home, ...argv);

/** A scored table: amount, merchant, (age), the model's score, a label that may not have arrived, a time. */
function writeTable(
  path: string,
  o: {
    rows: number;
    shift: number;
    seed: number;
    labelled: number;
    newMerchants: boolean;
    dropAge: boolean;
  },
): void {
  const rng = createSeededRandom(o.seed);
  const lines = [
    o.dropAge ? "amount,merchant,score,is_fraud,ts" : "amount,merchant,age,score,is_fraud,ts",
  ];
  const t0 = Date.UTC(2024, 2, 1);
  for (let i = 0; i < o.rows; i++) {
    const amount = (rng.next() * 100 + o.shift * 40).toFixed(2);
    const merchant =
      o.newMerchants && rng.next() < 0.2 ? `new-${i % 3}` : `m${Math.floor(rng.next() * 5)}`;
    const age = String(20 + Math.floor(rng.next() * 50));
    const score = rng.next();
    const label = i < o.rows * o.labelled ? String(rng.next() < score ? 1 : 0) : "";
    const ts = new Date(t0 + Math.floor((i / o.rows) * 6) * 3_600_000).toISOString();
    lines.push(
      [amount, merchant, ...(o.dropAge ? [] : [age]), score.toFixed(4), label, ts].join(","),
    );
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

describe("plinth monitor report", () => {
  test("writes drift, quality and performance as JSON and an HTML report", async () => {
    const out = join(home, "report.html");
    const r = await cli(
      "monitor",
      "report",
      "--reference",
      reference,
      "--current",
      current,
      "--categorical",
      "merchant",
      "--prediction",
      "score",
      "--label",
      "is_fraud",
      "--timestamp",
      "ts",
      "--window",
      "1h",
      "--out",
      out,
      "--json",
    );
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    const rows = Object.fromEntries(
      report.drift.columns.map((c: { column: string }) => [c.column, c]),
    );
    assert.equal(rows.amount.stattest, "wasserstein");
    assert.equal(rows.amount.drifted, true);
    assert.equal(rows.merchant.stattest, "jensenshannon");
    assert.equal(rows.score.role, "prediction");
    assert.equal(rows.age.status, "skipped");
    const checks = report.quality.map(
      (f: { check: string; column: string }) => `${f.check}:${f.column}`,
    );
    assert.ok(checks.includes("missing_column:age"), checks.join());
    assert.ok(checks.includes("unseen_categories:merchant"), checks.join());
    assert.ok(checks.includes("out_of_range:amount"), checks.join());
    assert.equal(report.performance.overall.length, 6);
    assert.equal(report.performance.overall[0].labelCoverage, 1);
    assert.equal(report.performance.overall[5].labelCoverage, 0);
    assert.ok(
      report.performance.overall[5].estimated.auc > 0.5,
      "CBPE estimate where no label has arrived",
    );
    const html = readFileSync(out, "utf8");
    assert.ok(
      html.includes('data-plot="drift-scores"') && html.includes('data-plot="performance"'),
    );
  });

  test("prints a table for a person, and reads Parquet the same", async () => {
    const parquet = join(home, "current.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    // Timestamps as text: the dataset readers refuse TIMESTAMP columns (cast them first).
    await connection.run(
      `COPY (SELECT * REPLACE (CAST(ts AS VARCHAR) AS ts) FROM read_csv('${current}', header = true)) TO '${parquet}' (FORMAT parquet)`,
    );
    connection.closeSync();
    instance.closeSync();
    const fromCsv = await cli(
      "monitor",
      "report",
      "--reference",
      reference,
      "--current",
      current,
      "--categorical",
      "merchant,ts",
    );
    assert.equal(fromCsv.code, 0, fromCsv.stderr);
    assert.match(fromCsv.stdout, /^(No dataset|Dataset) drift: 2 of 5 tested columns drifted/);
    assert.match(fromCsv.stdout, /amount\s+wasserstein\s+[\d.]+\s+0\.1\s+DRIFT/);
    const fromParquet = await cli(
      "monitor",
      "report",
      "--reference",
      reference,
      "--current",
      parquet,
      "--categorical",
      "merchant,ts",
      "--json",
    );
    assert.equal(fromParquet.code, 0, fromParquet.stderr);
    const amount = JSON.parse(fromParquet.stdout).drift.columns.find(
      (c: { column: string }) => c.column === "amount",
    );
    assert.equal(amount.drifted, true);
  });

  test("--stattest and --stattest-for override the defaults", async () => {
    const r = await cli(
      "monitor",
      "report",
      "--reference",
      reference,
      "--current",
      current,
      "--categorical",
      "merchant,ts",
      "--stattest",
      "psi",
      "--stattest-for",
      "amount=ks",
      "--drift-share",
      "0.9",
      "--json",
    );
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    const tests = Object.fromEntries(
      report.drift.columns.map((c: { column: string; stattest: string }) => [c.column, c.stattest]),
    );
    assert.equal(tests.amount, "ks");
    assert.equal(tests.merchant, "psi");
    assert.equal(report.drift.driftShare, 0.9);
  });

  test("bad input is a typed error naming the flag, and nothing is written", async () => {
    const out = join(home, "never.html");
    const cases: [string[], string, string][] = [
      [["monitor", "report", "--current", current], "INVALID_ARGUMENT", "reference"],
      [
        ["monitor", "report", "--reference", join(home, "nope.csv"), "--current", current],
        "TRAINING_INVALID_DATA",
        "nope",
      ],
      [
        ["monitor", "report", "--reference", reference, "--current", current, "--window", "soon"],
        "INVALID_ARGUMENT",
        "window",
      ],
      [
        [
          "monitor",
          "report",
          "--reference",
          reference,
          "--current",
          current,
          "--stattest",
          "t-test",
        ],
        "INVALID_ARGUMENT",
        "stattest",
      ],
      [
        [
          "monitor",
          "report",
          "--reference",
          reference,
          "--current",
          current,
          "--categorical",
          "merchant,ts",
          "--stattest-for",
          "typo=ks",
        ],
        "MONITORING_INVALID_INPUT",
        "columns.typo",
      ],
      [
        [
          "monitor",
          "report",
          "--reference",
          reference,
          "--current",
          current,
          "--label",
          "is_fraud",
        ],
        "INVALID_ARGUMENT",
        "label",
      ],
      [
        [
          "monitor",
          "report",
          "--reference",
          reference,
          "--current",
          current,
          "--drift-share",
          "lots",
        ],
        "INVALID_ARGUMENT",
        "drift-share",
      ],
      [["monitor", "explode"], "INVALID_ARGUMENT", "monitor"],
    ];
    for (const [argv, code, field] of cases) {
      const r = await cli(...argv, "--out", out, "--json");
      assert.notEqual(r.code, 0, argv.join(" "));
      const error = JSON.parse(r.stderr);
      assert.equal(error.error_code, code, `${argv.join(" ")}: ${r.stderr}`);
      assert.ok(String(error.field).includes(field), `${argv.join(" ")}: field ${error.field}`);
    }
    assert.equal(existsSync(out), false);
  });
});

test("plinth monitor profile writes a profile a model version can store", async () => {
  const out = join(home, "profile.json");
  const r = await cli(
    "monitor",
    "profile",
    "--data",
    reference,
    "--out",
    out,
    "--categorical",
    "merchant,ts",
    "--json",
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { path: out, rows: 1500, features: 6 });
  const profile = profileFromJson(JSON.parse(readFileSync(out, "utf8")));
  assert.equal(profile.rows, 1500);
  assert.deepEqual(
    profile.features.map((f) => `${f.name}:${f.kind}`),
    [
      "amount:numeric",
      "merchant:categorical",
      "age:numeric",
      "score:numeric",
      "is_fraud:numeric",
      "ts:categorical",
    ],
  );
});
