import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli } from "../cli/testing/run-cli.ts";
import { resolveConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { openPlatform } from "../platform.ts";
import { createPredictionLogReader } from "../serving/prediction-log/create-prediction-log-reader.ts";

const root = mkdtempSync(join(tmpdir(), "plinth-quickstart-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("the quickstart runs the loop end to end at a small size and leaves a working project", async () => {
  const dir = join(root, "demo");
  const result = await runCli(
    join(root, "home"),
    "quickstart",
    "--dir",
    dir,
    "--cards",
    "80",
    "--transactions",
    "3000",
    "--rounds",
    "20",
    "--requests",
    "120",
    "--json",
  );
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.deepEqual(
    summary.stages.map((s: { stage: string }) => s.stage),
    ["project", "apply", "materialize", "train", "online", "deploy", "serve", "monitor"],
  );
  assert.equal(summary.home, join(root, "home"));
  assert.equal(summary.model.name, "fraud");
  assert.equal(summary.model.version, "1");
  assert.equal(summary.model.alias, "champion");
  // The label depends on the features; a model that learned nothing scores about 0.5.
  assert.ok(summary.model.holdoutMetrics.auc > 0.65, JSON.stringify(summary.model));
  // The on-demand feature is computed online from the stored average and the request.
  const f = summary.onlineExample.features;
  assert.ok(Math.abs(f.amount_ratio - 480 / Math.max(f.avg_amount_7d, 1)) < 1e-9);
  assert.match(readFileSync(join(dir, "features.ts"), "utf8"), /from "plinth"/);
  // Today's amounts are shifted on purpose: the ratio feature must be caught drifting.
  assert.ok(
    summary.monitoring.drifted.includes("amount_ratio"),
    JSON.stringify(summary.monitoring),
  );
  assert.match(readFileSync(summary.monitoring.report, "utf8"), /<svg/);

  // The stores it leaves are the ones the CLI and server open with --home.
  const platform = await openPlatform(resolveConfig({ overrides: { home: summary.home } }), {
    logger: createLogger({ level: "silent" }),
  });
  try {
    const champion = await platform.registry.aliases.resolve("fraud", "champion");
    assert.equal(champion.version, "1");
    // Every served prediction is in the deployment's log, with the vector the model saw.
    const logged = await createPredictionLogReader(platform.artifacts).read({
      deployment: "fraud",
    });
    assert.equal(logged.length, 120);
    assert.equal(summary.traffic.logged, 120);
    const first = logged.find((r) => r.requestId === summary.traffic.example.request_id);
    assert.equal(first?.modelVersion, "1");
    assert.equal(first?.variant, "champion");
    assert.equal(summary.traffic.example.contributions.length, 3);
    const registry = await platform.featureRegistry.list();
    assert.ok(registry.objects.some((o) => o.name === "fraud_v1"));
  } finally {
    await platform.close();
  }
  const show = await runCli(summary.home, "models", "show", "fraud", "--json");
  assert.equal(show.code, 0, show.stderr);
  // The home's config names the features module: the CLI finds the definitions by --home alone.
  const online = await runCli(
    summary.home,
    "features",
    "get",
    "--service",
    "fraud_v1",
    "--entity",
    "card_id=7",
    "--request",
    "amount=480",
    "--json",
  );
  assert.equal(online.code, 0, online.stderr);
});

test("the quickstart refuses a non-empty directory and bad sizes, naming the flag, before writing anything", async () => {
  const taken = join(root, "taken");
  mkdirSync(taken);
  writeFileSync(join(taken, "mine.txt"), "keep me");
  const refused = await runCli(join(root, "h1"), "quickstart", "--dir", taken, "--json");
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--dir .* not empty/);
  assert.equal(readFileSync(join(taken, "mine.txt"), "utf8"), "keep me");

  for (const [flag, value] of [
    ["--cards", "0"],
    ["--transactions", "-5"],
    ["--rounds", "1.5"],
    ["--seed", "abc"],
  ] as const) {
    const bad = await runCli(join(root, "h2"), "quickstart", "--dir", join(root, "x"), flag, value);
    assert.equal(bad.code, 2, `${flag} ${value}: ${bad.stderr}`);
    assert.match(bad.stderr, new RegExp(flag.slice(2)));
  }
  const extra = await runCli(join(root, "h3"), "quickstart", "now");
  assert.equal(extra.code, 2);
});
