import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runCli } from "../testing/run-cli.ts";

// `plinth features plan|apply|list|describe` end to end, in-process, on a fresh home and a
// features module written to a temporary project directory.

const home = mkdtempSync(join(tmpdir(), "plinth-cli-features-"));
const project = mkdtempSync(join(tmpdir(), "plinth-cli-project-"));
after(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
});

const FACTORIES = pathToFileURL(
  fileURLToPath(new URL("../../features/index.ts", import.meta.url)),
).href;
const MODULE = join(project, "features.ts");

function writeModule(options: { ratingType?: string; extra?: string } = {}): void {
  writeFileSync(
    MODULE,
    `import { entity, featureService, featureView, parquetSource } from ${JSON.stringify(FACTORIES)};
export const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });
const trips = parquetSource({ name: "trips", path: "data/trips.parquet", timestampField: "event_ts" });
export const driverStats = featureView({
  name: "driver_stats",
  entities: [driver],
  schema: [{ name: "rating", type: "${options.ratingType ?? "float64"}" }, { name: "trips", type: "int64" }],
  source: trips,
  ttlSeconds: 3600,
  owner: "risk@example.test",
});
export const fraud = featureService({ name: "fraud_v1", features: [driverStats] });
${options.extra ?? ""}
`,
  );
}

const cli = (...argv: string[]) => runCli(home, "features", ...argv);

test("plan, apply, list and describe a features module, as text and JSON", async () => {
  writeModule();
  const plan = await cli("plan", "--module", MODULE);
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /would make 3 changes \(3 adds\)/);
  assert.match(plan.stdout, /\+ feature view driver_stats\s+v1/);
  assert.match(plan.stdout, /Run 'plinth features apply --module /);
  const planJson = JSON.parse((await cli("plan", "--module", MODULE, "--json")).stdout);
  assert.equal(planJson.baseRevision, 0);
  assert.deepEqual(
    planJson.changes.map((c: { action: string; name: string }) => `${c.action} ${c.name}`),
    ["add driver", "add driver_stats", "add fraud_v1"],
  );

  const applied = await cli("apply", "--module", MODULE, "--actor", "ana");
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /Applied .*features\.ts as revision 1 .*by ana/);
  const again = await cli("apply", "--module", MODULE, "--json");
  assert.equal(JSON.parse(again.stdout).applied, false);

  const list = await cli("list");
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /Feature registry at revision 1, applied .* by ana/);
  assert.match(list.stdout, /FEATURE VIEWS\nNAME\s+VERSION\s+ENTITIES\s+FEATURES\s+TTL/);
  assert.match(
    list.stdout,
    /driver_stats\s+v1\s+driver\s+2\s+3600s\s+parquet data\/trips\.parquet/,
  );
  const listJson = JSON.parse((await cli("list", "--json")).stdout);
  assert.deepEqual(
    listJson.featureView.map((o: { name: string }) => o.name),
    ["driver_stats"],
  );

  const described = await cli("describe", "driver_stats");
  assert.equal(described.code, 0, described.stderr);
  assert.match(described.stdout, /feature view driver_stats@v1 \(active\)/);
  assert.match(described.stdout, /rating\s+float64\s+fraud_v1/);
});

test("a breaking change is refused with what to do next; --force makes view@v2 and keeps v1", async () => {
  writeModule({ ratingType: "string" });
  const plan = await cli("plan", "--module", MODULE);
  assert.equal(plan.code, 0);
  assert.match(plan.stdout, /~ feature view driver_stats\s+v1 -> v2\s+BREAKING/);
  assert.match(plan.stdout, /features\.rating: float64 -> string/);
  assert.match(plan.stdout, /! feature 'rating' changes type from float64 to string/);

  const refused = await cli("apply", "--module", MODULE);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /error \[FEATURES_BREAKING_CHANGE\]: .*driver_stats@v2.*--force/);
  assert.equal(JSON.parse((await cli("list", "--json")).stdout).revision, 1, "nothing applied");

  const forced = await cli("apply", "--module", MODULE, "--force", "--json");
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(JSON.parse(forced.stdout).forced, true);
  const v1 = await cli("describe", "driver_stats@v1");
  assert.match(v1.stdout, /driver_stats@v1 \(superseded\)/);
  assert.match(v1.stdout, /rating\s+float64/);
  const all = JSON.parse(
    (await cli("describe", "driver_stats", "--kind", "view", "--json")).stdout,
  );
  assert.deepEqual(
    all.objects.map((o: { version: number; status: string }) => `${o.version}:${o.status}`),
    ["2:active", "1:superseded"],
  );
});

test("bad invocations and modules get typed errors that say what to do", async () => {
  const check = async (argv: string[], code: number, pattern: RegExp) => {
    const r = await cli(...argv);
    assert.equal(r.code, code, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern, argv.join(" "));
  };
  await check(
    ["plan", "--module", join(project, "nope.ts")],
    2,
    /no features module at .*pass --module PATH/,
  );
  await check(["plan"], 2, /no features module at 'features\.ts' \(the default\)/);
  await check(["frobnicate"], 2, /expected one of plan, apply, list, describe/);
  await check(
    ["plan", "--force", "--module", MODULE],
    2,
    /--force does not apply to 'plinth features plan'/,
  );
  await check(["describe"], 2, /is required: plinth features describe NAME/);
  await check(["describe", "x@vfoo"], 2, /expected NAME or NAME@vN/);
  await check(["describe", "ghost"], 1, /FEATURES_NOT_IN_REGISTRY.*plinth features list/);
  await check(["describe", "driver", "--kind", "table"], 2, /--kind|kind/);
  await check(["apply", "--module", MODULE, "--actor", " "], 2, /actor/);

  writeModule({ extra: 'throw new Error("warehouse credentials missing");' });
  await check(
    ["apply", "--module", MODULE],
    1,
    /FEATURES_DEFINITIONS_LOAD_FAILED.*warehouse credentials missing/,
  );
  writeModule({ ratingType: "decimal" });
  await check(
    ["plan", "--module", MODULE],
    1,
    /FEATURES_INVALID_DEFINITION.*features\.ts.*decimal/,
  );
  const json = await cli("describe", "ghost", "--json");
  assert.deepEqual(JSON.parse(json.stderr).error_code, "FEATURES_NOT_IN_REGISTRY");
});
