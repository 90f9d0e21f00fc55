import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { resolveConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { openPlatform } from "../platform.ts";
import { runCli } from "./testing/run-cli.ts";

let home: string;
let runId: string;

before(async () => {
  home = mkdtempSync(join(tmpdir(), "plinth-cli-"));
  const platform = await openPlatform(resolveConfig({ overrides: { home }, env: {} }), {
    logger: createLogger({ level: "silent" }),
  });
  const exp = await platform.tracking.experiments.create({ name: "fraud" });
  const run = await platform.tracking.runs.create({ experimentId: exp, runName: "gbdt" });
  runId = run.info.runId;
  await platform.tracking.runs.logBatch(runId, {
    metrics: [{ key: "auc", value: 0.91, timestamp: 1, step: 0 }],
    params: [{ key: "eta", value: "0.1" }],
  });
  await platform.registry.models.create({ name: "fraud-model" }, { actor: "ana" });
  await platform.registry.versions.create({ name: "fraud-model", source: "runs:/x/model", runId });
  await platform.registry.aliases.set("fraud-model", "champion", "1");
  await platform.close();
});
after(() => rmSync(home, { recursive: true, force: true }));

const cli = (...argv: string[]) => runCli(home, ...argv);

test("experiments, runs and models: readable tables and --json", async () => {
  const exps = await cli("experiments", "list");
  assert.equal(exps.code, 0, exps.stderr);
  assert.match(exps.stdout, /^ID\s+NAME/);
  assert.match(exps.stdout, /fraud/);
  const json = JSON.parse((await cli("experiments", "list", "--json")).stdout);
  assert.deepEqual(json.experiments.map((e: { name: string }) => e.name).sort(), [
    "Default",
    "fraud",
  ]);

  const runs = await cli("runs", "list", "--experiment", "fraud");
  assert.equal(runs.code, 0, runs.stderr);
  assert.match(runs.stdout, /gbdt.*auc=0\.91/);
  const filtered = JSON.parse(
    (await cli("runs", "list", "-e", "fraud", "--filter", "metrics.auc > 0.95", "--json")).stdout,
  );
  assert.deepEqual(filtered.runs, []);
  const shown = await cli("runs", "show", runId);
  assert.match(shown.stdout, /eta\s+0\.1/);
  assert.equal(
    JSON.parse((await cli("runs", "show", runId, "--json")).stdout).run.info.runId,
    runId,
  );

  const models = await cli("models", "list");
  assert.match(models.stdout, /fraud-model\s+v1 None\s+champion→v1/);
  const model = JSON.parse((await cli("models", "show", "fraud-model", "--json")).stdout);
  assert.equal(model.versions[0].version, "1");
  assert.deepEqual(
    model.history.map((h: { action: string }) => h.action),
    ["create_registered_model", "create_model_version", "set_registered_model_alias"],
  );
});

test("bad input: unknown commands and flags exit 2, unknown ids exit 1 with a typed error", async () => {
  const unknown = await cli("frobnicate");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /error \[INVALID_ARGUMENT\]: .*unknown command 'frobnicate'/);
  const flag = await cli("runs", "list", "--bogus");
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--bogus/);
  const missing = await cli("runs", "show", "f".repeat(32), "--json");
  assert.equal(missing.code, 1);
  assert.deepEqual(JSON.parse(missing.stderr), {
    error_code: "TRACKING_RUN_NOT_FOUND",
    message: `Run with id=${"f".repeat(32)} not found`,
    field: "run_id",
  });
  const port = await cli("server", "--port", "99999");
  assert.equal(port.code, 2);
  assert.match(port.stderr, /--port/);
  const max = await cli("runs", "list", "--max", "lots");
  assert.equal(max.code, 2);
  assert.equal((await cli("--help")).code, 0);
  assert.match((await cli("runs", "--help")).stdout, /plinth runs list/);
});
