import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { resolveConfig } from "../../core/config.ts";
import { createLogger } from "../../core/logger.ts";
import { type ServingRepo, writeServingRepo } from "../../features/testing/write-serving-repo.ts";
import { openPlatform, type Platform } from "../../platform.ts";
import { createPredictionLog } from "../../serving/prediction-log/create-prediction-log.ts";
import type {
  LoggedFeatureValue,
  PredictionRecord,
} from "../../serving/prediction-log/prediction-record.ts";
import { runCli } from "../testing/run-cli.ts";

// plinth monitor skew over a real home: the feature repo, its online store, and the
// prediction log in the home's artifact store; one logged value differs from the offline one.

const home = mkdtempSync(join(tmpdir(), "plinth-monitor-skew-"));
let repo: ServingRepo;
let platform: Platform;
const at = Math.floor(Date.now() / 1000) * 1000 - 60_000;

before(async () => {
  repo = await writeServingRepo(join(home, "repo"));
  writeFileSync(join(home, "config.json"), JSON.stringify({ featuresModule: repo.modulePath }));
  platform = await openPlatform(resolveConfig({ overrides: { home }, env: {} }), {
    logger: createLogger({ level: "silent" }),
  });
  const store = await platform.features();
  await store.materializeIncremental(new Date(at));
  await store.push("live_trips", [
    { driver_id: 1001, event_ts: new Date(at - 600_000), trips_today: 3 },
  ]);
  const online = await store.getOnlineFeatures({
    features: "driver_v1",
    entityRows: [{ driver_id: 1001 }, { driver_id: 1002 }, { driver_id: 1001 }],
    requestData: [{ bonus: 1 }, { bonus: 1 }, { bonus: 1 }],
  });
  const log = createPredictionLog({
    artifacts: platform.artifacts,
    maxQueue: 100,
    segmentMaxRows: 100,
    segmentMaxAgeMs: 60_000,
    flushIntervalMs: 50,
  });
  online.rows.forEach((row, i) => {
    const features: Record<string, LoggedFeatureValue> = { bonus: 1 };
    online.featureNames.forEach((name, c) => {
      const v = row.values[c];
      if (name !== "driver_id")
        features[name] = typeof v === "bigint" ? Number(v) : (v as LoggedFeatureValue);
    });
    // The third request was served a stale conv_rate.
    if (i === 2) features.conv_rate = 0.1;
    const record: PredictionRecord = {
      requestId: `r${i}`,
      at: at + i,
      deployment: "drivers",
      variant: "champion",
      shadow: false,
      modelName: "eta",
      modelVersion: "1",
      entities: { driver_id: Number(row.values[0]) },
      features,
      outputs: { score: 0.5 },
      latencyMs: 1,
    };
    assert.ok(log.append(record));
  });
  await log.close();
});
after(async () => {
  await platform.close();
  rmSync(home, { recursive: true, force: true });
});

test("plinth monitor skew recomputes the logged window offline and finds the stale value", async () => {
  const window = ["--from", String(at - 1000), "--to", String(at + 1000)];
  const result = await runCli(
    home,
    "monitor",
    "skew",
    "--deployment",
    "drivers",
    "--service",
    "driver_v1",
    ...window,
    "--json",
  );
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.equal(report.sampled, 3);
  const conv = report.features.find((f: { feature: string }) => f.feature === "conv_rate");
  assert.equal(conv.compared, 3);
  assert.equal(conv.mismatches, 1);
  assert.equal(conv.maxAbsDiff, 0.25 - 0.1);
  assert.equal(conv.examples[0].requestId, "r2");
  const trips = report.features.find((f: { feature: string }) => f.feature === "trips");
  assert.equal(trips.mismatches, 0);
  const text = await runCli(
    home,
    "monitor",
    "skew",
    "--deployment",
    "drivers",
    "--service",
    "driver_v1",
    ...window,
  );
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /conv_rate\s+numeric\s+3\s+1\s+0\.333333/);
});

test("bad skew flags are typed errors naming the flag", async () => {
  const ok = ["--deployment", "drivers", "--service", "driver_v1", "--from", "0", "--to", "10"];
  const cases: Array<[string[], string]> = [
    [ok.filter((_, i) => i > 1), "deployment"],
    [["--deployment", "drivers", "--from", "0", "--to", "10"], "service"],
    [[...ok.slice(0, 4), "--from", "yesterday", "--to", "10"], "from"],
    [[...ok.slice(0, 4), "--from", "10", "--to", "5"], "to"],
    [[...ok, "--sample", "0"], "sample"],
    [[...ok, "--tolerance", "abc"], "tolerance"],
  ];
  for (const [args, field] of cases) {
    const r = await runCli(home, "monitor", "skew", ...args, "--json");
    assert.equal(r.code, 2, `${field}: ${r.stderr}`);
    assert.equal(JSON.parse(r.stderr).field, field);
  }
  const unknown = await runCli(
    home,
    "monitor",
    "skew",
    ...ok.slice(0, 2),
    "--service",
    "nope",
    "--from",
    "0",
    "--to",
    "10",
    "--json",
  );
  assert.equal(JSON.parse(unknown.stderr).error_code, "FEATURES_UNKNOWN_SERVICE");
});
