import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { resolveConfig } from "../../core/config.ts";
import { createLogger } from "../../core/logger.ts";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { profileColumns } from "../../monitoring/profile/profile-columns.ts";
import {
  REFERENCE_PROFILE_TAG,
  storeReferenceProfile,
} from "../../monitoring/reference/reference-profile.ts";
import { categorical, numeric } from "../../monitoring/testing/columns.ts";
import { openPlatform } from "../../platform.ts";
import { createPredictionLog } from "../../serving/prediction-log/create-prediction-log.ts";
import { runCli } from "../testing/run-cli.ts";

const T0 = Date.UTC(2026, 11, 6, 9);
let home: string;
let referenceCsv: string;

before(async () => {
  home = mkdtempSync(join(tmpdir(), "plinth-monitor-window-"));
  const rng = createSeededRandom(3);
  const amounts = Array.from({ length: 1500 }, () => 100 + 40 * (rng.next() - 0.5));
  const countries = amounts.map((_, i) => ["FR", "DE"][i % 2]!);
  referenceCsv = join(home, "reference.csv");
  writeFileSync(
    referenceCsv,
    `amount,country,score,is_fraud\n${amounts.map((a, i) => `${a},${countries[i]},${(a - 80) / 40},${i % 3 === 0 ? 1 : 0}`).join("\n")}\n`,
  );
  const platform = await openPlatform(resolveConfig({ overrides: { home }, env: {} }), {
    logger: createLogger({ level: "silent" }),
  });
  try {
    const key = await storeReferenceProfile(
      platform.artifacts,
      profileColumns([numeric("amount", amounts), categorical("country", countries)]),
    );
    await platform.registry.models.create({ name: "fraud" });
    const v = await platform.registry.versions.create({
      name: "fraud",
      source: "runs:/x/model",
      tags: [{ key: REFERENCE_PROFILE_TAG, value: key }],
    });
    await platform.registry.aliases.set("fraud", "champion", v.version);
    await platform.registry.models.create({ name: "bare" });
    const bare = await platform.registry.versions.create({ name: "bare", source: "runs:/y/model" });
    await platform.registry.aliases.set("bare", "champion", bare.version);
    const log = createPredictionLog({
      artifacts: platform.artifacts,
      maxQueue: 10_000,
      segmentMaxRows: 10_000,
      segmentMaxAgeMs: 3_600_000,
      flushIntervalMs: 60_000,
    });
    for (let i = 0; i < 600; i++) {
      // The second hour's amounts are 50 higher: drift.
      const amount = 100 + 40 * (rng.next() - 0.5) + (i >= 300 ? 50 : 0);
      log.append({
        requestId: `r${i}`,
        at: T0 + Math.floor(i / 300) * 3_600_000 + (i % 300) * 1000,
        deployment: "fraud-api",
        variant: "champion",
        shadow: false,
        modelName: "fraud",
        modelVersion: v.version,
        entities: { user_id: i },
        features: { amount, country: ["FR", "DE"][i % 2]! },
        outputs: { score: Math.min(1, Math.max(0, (amount - 80) / 40)) },
        latencyMs: 1,
      });
    }
    await log.close();
    await platform.metadata.db
      .insertInto("prediction_labels")
      .values(
        Array.from({ length: 100 }, (_, i) => ({
          deployment: "fraud-api",
          label_key: `id:r${i}`,
          request_id: `r${i}`,
          entity_key: null,
          event_time: null,
          label: i % 2,
          labelled_at: T0,
          ingested_at: T0,
        })),
      )
      .execute();
  } finally {
    await platform.close();
  }
});
after(() => rmSync(home, { recursive: true, force: true }));

const window = [
  "--deployment",
  "fraud-api",
  "--from",
  "2026-12-06T09:00:00Z",
  "--to",
  String(T0 + 2 * 3_600_000),
];

test("monitor report --deployment: the log window against the champion's reference profile", async () => {
  const out = join(home, "window.html");
  const result = await runCli(home, "monitor", "report", ...window, "--out", out, "--json");
  assert.equal(result.code, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.equal(doc.status, "ok");
  assert.equal(doc.rows, 600);
  assert.deepEqual(
    doc.hours.map((h: { rows: number }) => h.rows),
    [300, 300],
  );
  assert.equal(doc.labels.matched, 100);
  assert.match(doc.report.reference.name, /fraud@champion \(version 1\)/);
  const amount = doc.report.drift.columns.find((c: { column: string }) => c.column === "amount");
  assert.equal(amount.drifted, true);
  assert.equal(doc.performance.overall.length, 2);
  assert.ok(existsSync(out) && readFileSync(out, "utf8").includes("<svg"));

  const text = await runCli(home, "monitor", "report", ...window, "--slice", "country");
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /600 predictions in 2 hours/);
  assert.match(text.stdout, /Labels: 100 of 600/);
});

test("monitor report --deployment with a reference file fits CBPE on its labelled scores", async () => {
  const result = await runCli(
    home,
    "monitor",
    "report",
    ...window,
    "--reference",
    referenceCsv,
    "--label",
    "is_fraud",
    "--categorical",
    "country",
    "--json",
  );
  assert.equal(result.code, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  assert.ok(doc.performance.overall[1].estimated !== null);
});

test("monitor report --deployment: an empty window is 'no data'; a missing reference is a typed error", async () => {
  const empty = await runCli(
    home,
    "monitor",
    "report",
    "--deployment",
    "fraud-api",
    "--from",
    "0",
    "--to",
    "1000",
    "--reference",
    referenceCsv,
  );
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /no data/);
  const bare = await runCli(home, "monitor", "report", ...window, "--model", "bare", "--json");
  assert.notEqual(bare.code, 0);
  assert.equal(JSON.parse(bare.stderr).error_code, "MONITORING_NO_REFERENCE");
  for (const [argv, field] of [
    [["--deployment", "fraud-api", "--from", "5", "--to", "1"], "to"],
    [["--deployment", "fraud-api", "--to", "1"], "from"],
    [[...window, "--threshold", "2"], "threshold"],
    [[...window, "--slice", "nope"], "slice"],
    [[...window, "--current", "x.csv"], "current"],
  ] as const) {
    const r = await runCli(home, "monitor", "report", ...argv, "--json");
    assert.notEqual(r.code, 0, argv.join(" "));
    assert.equal(JSON.parse(r.stderr).field, field, argv.join(" "));
  }
});
