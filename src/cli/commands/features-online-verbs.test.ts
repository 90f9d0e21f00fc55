import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type ServingRepo, writeServingRepo } from "../../features/testing/write-serving-repo.ts";
import { runCli } from "../testing/run-cli.ts";

let home = "";
let repo: ServingRepo;
before(async () => {
  home = mkdtempSync(join(tmpdir(), "plinth-cli-features-"));
  repo = await writeServingRepo(join(home, "repo"));
});
after(() => rmSync(home, { recursive: true, force: true }));

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

test("materialize then get, as JSON and as text", async () => {
  const m = await runCli(
    home,
    "features",
    "materialize",
    "--incremental",
    "--module",
    repo.modulePath,
    "--json",
  );
  assert.equal(m.code, 0, m.stderr);
  const views = (json(m.stdout).views as { view: string; rows_read: number; end: string }[]).map(
    (v) => [v.view, v.rows_read],
  );
  assert.deepEqual(views, [
    ["driver_stats", 2],
    ["trips_live", 0],
  ]);
  const again = await runCli(
    home,
    "features",
    "materialize",
    "--start",
    "2000-01-01",
    "--end",
    "now",
    "--views",
    "driver_stats",
    "--module",
    repo.modulePath,
  );
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^view\s+from\s+to\s+entities\s+written/);
  assert.match(again.stdout, /driver_stats\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);

  const get = await runCli(
    home,
    "features",
    "get",
    "--service",
    "driver_v1",
    "--entity",
    "driver_id=1001",
    "--entity",
    "driver_id=42",
    "--request",
    "bonus=0.5",
    "--module",
    repo.modulePath,
    "--json",
  );
  assert.equal(get.code, 0, get.stderr);
  const body = json(get.stdout) as {
    feature_names: string[];
    rows: { values: unknown[]; statuses: string[] }[];
  };
  assert.deepEqual(body.feature_names, [
    "driver_id",
    "conv_rate",
    "trips",
    "city",
    "trips_today",
    "conv_plus_bonus",
  ]);
  assert.deepEqual(body.rows[0]!.values, [1001, 0.25, 5, "Paris", null, 0.75]);
  assert.deepEqual(body.rows[1]!.statuses, [
    "PRESENT",
    "NOT_FOUND",
    "NOT_FOUND",
    "NOT_FOUND",
    "NOT_FOUND",
    "NULL_VALUE",
  ]);
  const text = await runCli(
    home,
    "features",
    "get",
    "--features",
    "driver_stats:city",
    "--entity",
    "driver_id=1002",
    "--module",
    repo.modulePath,
  );
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /city\s+null\s+NULL_VALUE\s+\d{4}-/);
});

test("bad invocations exit non-zero with a typed error that says what to do", async () => {
  const m = ["--module", repo.modulePath, "--json"];
  const cases: [string[], number, string, string][] = [
    [["features", "nope", ...m], 2, "INVALID_ARGUMENT", "features"],
    [["features", "materialize", ...m], 2, "INVALID_ARGUMENT", "start"],
    [
      ["features", "materialize", "--start", "x", "--end", "now", ...m],
      2,
      "INVALID_ARGUMENT",
      "start",
    ],
    [
      ["features", "materialize", "--incremental", "--start", "now", ...m],
      2,
      "INVALID_ARGUMENT",
      "start",
    ],
    [
      ["features", "materialize", "--incremental", "--views", ",", ...m],
      2,
      "INVALID_ARGUMENT",
      "views",
    ],
    [
      ["features", "materialize", "--incremental", "--views", "nope", ...m],
      1,
      "FEATURES_UNKNOWN_VIEW",
      "nope",
    ],
    [["features", "get", "--service", "driver_v1", ...m], 2, "INVALID_ARGUMENT", "entity"],
    [["features", "get", "--entity", "driver_id=1", ...m], 2, "INVALID_ARGUMENT", "service"],
    [
      ["features", "get", "--service", "driver_v1", "--entity", "driver_id", ...m],
      2,
      "INVALID_ARGUMENT",
      "entity",
    ],
    [
      ["features", "get", "--service", "nope", "--entity", "driver_id=1", ...m],
      1,
      "FEATURES_UNKNOWN_SERVICE",
      "nope",
    ],
    [
      [
        "features",
        "get",
        "--service",
        "driver_v1",
        "--entity",
        "driver_id=abc",
        "--request",
        "bonus=1",
        ...m,
      ],
      1,
      "FEATURES_KEY_TYPE_MISMATCH",
      "driver_id",
    ],
    [
      ["features", "get", "--service", "driver_v1", "--entity", "driver_id=1", "--json"],
      1,
      "FEATURES_NOT_CONFIGURED",
      "featuresModule",
    ],
    [
      [
        "features",
        "get",
        "--service",
        "s",
        "--entity",
        "a=1",
        "--module",
        join(home, "none.ts"),
        "--json",
      ],
      1,
      "FEATURES_DEFINITIONS_LOAD_FAILED",
      "",
    ],
  ];
  for (const [argv, code, errorCode, field] of cases) {
    const r = await runCli(home, ...argv);
    assert.equal(r.code, code, `${argv.join(" ")}: ${r.stderr}`);
    const error = json(r.stderr);
    assert.equal(error.error_code, errorCode, r.stderr);
    if (field !== "") assert.equal(error.field, field, r.stderr);
  }
  const help = await runCli(home, "features", "--help");
  assert.match(help.stdout, /plinth features materialize/);
  assert.match(help.stdout, /plinth features get/);
});
