import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createLocalArtifactStore } from "../../artifacts/local/local-artifact-store.ts";
import { isPlinthError } from "../../core/errors.ts";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { metadataBackends } from "../../metadata/testing/metadata-backends.ts";
import { createPredictionLog } from "../../serving/prediction-log/create-prediction-log.ts";
import { createPredictionLogReader } from "../../serving/prediction-log/create-prediction-log-reader.ts";
import type { PredictionRecord } from "../../serving/prediction-log/prediction-record.ts";
import { createLabelStore } from "../labels/create-label-store.ts";
import { mergeProfiles } from "../profile/merge-profiles.ts";
import { profileColumns } from "../profile/profile-columns.ts";
import { profileToJson } from "../profile/profile-json.ts";
import type { MonitoringTable } from "../report/read-monitoring-table.ts";
import { categorical, numeric } from "../testing/columns.ts";
import { columnsFromProfile } from "./columns-from-profile.ts";
import { hourlyProfiles, monitorWindow } from "./monitor-window.ts";
import { predictionTable } from "./prediction-table.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 6, 9);
const COUNTRIES = ["FR", "DE", "US"];

/** A scored row: amount (shifted by `shift`), country, score rising with amount, the true label. */
function draw(random: () => number, shift: number) {
  const amount = 100 + 20 * (random() + random() + random() - 1.5) * 2 + shift;
  const country = COUNTRIES[Math.floor(random() * 3)]!;
  const score = 1 / (1 + Math.exp(-(amount - 100) / 15));
  const label = random() < score ? 1 : 0;
  return { amount, country, score, label };
}

function referenceTable(rows: number): MonitoringTable {
  const rng = createSeededRandom(1);
  const random = () => rng.next();
  const drawn = Array.from({ length: rows }, () => draw(random, 0));
  return {
    rows,
    columns: [
      numeric(
        "amount",
        drawn.map((d) => d.amount),
      ),
      categorical(
        "country",
        drawn.map((d) => d.country),
      ),
      numeric(
        "score",
        drawn.map((d) => d.score),
      ),
    ],
    label: Float64Array.from(drawn, (d) => d.label),
    timestamp: null,
  };
}

const root = mkdtempSync(join(tmpdir(), "plinth-window-"));
after(() => rmSync(root, { recursive: true, force: true }));
const artifacts = createLocalArtifactStore({ root });
const reader = createPredictionLogReader(artifacts);
const truth = new Map<string, number>();

before(async () => {
  const log = createPredictionLog({
    artifacts,
    maxQueue: 100_000,
    segmentMaxRows: 1000,
    segmentMaxAgeMs: 600_000,
    flushIntervalMs: 60_000,
  });
  const rng = createSeededRandom(2);
  const random = () => rng.next();
  // Three hours of 600 predictions each; the third hour's amounts drift up by 40.
  for (let i = 0; i < 1800; i++) {
    const hour = Math.floor(i / 600);
    const d = draw(random, hour === 2 ? 40 : 0);
    const record: PredictionRecord = {
      requestId: `r${i}`,
      at: T0 + hour * HOUR + (i % 600) * 5000,
      deployment: "fraud",
      variant: i % 5 === 0 ? "challenger" : "champion",
      shadow: false,
      modelName: "fraud",
      modelVersion: "1",
      entities: { user_id: i },
      features: { amount: d.amount, country: d.country },
      outputs: { score: d.score },
      latencyMs: 1,
    };
    truth.set(record.requestId, d.label);
    log.append(record);
  }
  // A shadow variant's predictions are logged but never served: left out of monitoring.
  log.append({
    requestId: "shadow-1",
    at: T0 + 10,
    deployment: "fraud",
    variant: "shadow",
    shadow: true,
    modelName: "fraud",
    modelVersion: "2",
    entities: { user_id: 1 },
    features: { amount: 1e9, country: "XX" },
    outputs: { score: 1 },
    latencyMs: 1,
  });
  await log.close();
});

describe("monitorWindow", () => {
  test("a day's profile merged from hourly profiles equals the day profiled at once", async () => {
    const records = (await reader.read({ deployment: "fraud" })).filter((r) => !r.shadow);
    const table = predictionTable(records);
    const reference = profileColumns(referenceTable(2000).columns);
    const hours = hourlyProfiles(table, table.columns, reference);
    assert.deepEqual(
      hours.map((h) => [h.start - T0, h.rows]),
      [
        [0, 600],
        [HOUR, 600],
        [2 * HOUR, 600],
      ],
    );
    const merged = hours.map((h) => h.profile).reduce((a, b) => mergeProfiles(a, b));
    const whole = profileColumns(table.columns, { edgesFrom: reference });
    // Counts, sketches, histograms, categories and distinct sketches merge exactly; the
    // mean and squared deviations (Chan's update) to rounding.
    const withoutMoments = (p: typeof merged) =>
      profileToJson({
        ...p,
        features: p.features.map((f) =>
          f.kind === "numeric" ? { ...f, moments: { ...f.moments, mean: 0, m2: 0 } } : f,
        ),
      });
    assert.deepEqual(withoutMoments(merged), withoutMoments(whole));
    merged.features.forEach((f, i) => {
      const w = whole.features[i]!;
      if (f.kind !== "numeric" || w.kind !== "numeric") return;
      assert.ok(Math.abs(f.moments.mean - w.moments.mean) <= 1e-12 * Math.abs(w.moments.mean));
      assert.ok(Math.abs(f.moments.m2 - w.moments.m2) <= 1e-10 * w.moments.m2);
    });
  });

  test("a stored profile stands in for its data within the sketch's accuracy", () => {
    const table = referenceTable(3000);
    const rebuilt = columnsFromProfile(profileColumns(table.columns));
    assert.equal(rebuilt.length, 3);
    const amount = rebuilt[0]!;
    assert.ok(amount.kind === "numeric" && amount.values.length === 3000);
    const sorted = Float64Array.from((table.columns[0] as { values: Float64Array }).values).sort();
    const mine = Float64Array.from(amount.values).sort();
    for (let i = 0; i < 3000; i += 97)
      assert.ok(Math.abs(mine[i]! - sorted[i]!) <= Math.abs(sorted[i]!) / 256 + 1e-12);
    const country = rebuilt[1]!;
    assert.ok(country.kind === "categorical" && country.codes.length === 3000);
  });

  for (const backend of metadataBackends()) {
    describe(`with labels on ${backend.name}`, () => {
      let opened: Awaited<ReturnType<typeof backend.open>>;
      before(async () => {
        opened = await backend.open();
      });
      after(() => opened.cleanup());

      test("drift, quality, labels and performance with CBPE, per slice, and explicit empty results", async () => {
        const labels = createLabelStore(opened.store);
        // Labels for the first two hours only, half of them by entity and time.
        const sent = [...truth.entries()].filter(([id]) => Number(id.slice(1)) < 1200);
        await labels.ingest(
          "fraud",
          sent.map(([id, label]) => {
            const i = Number(id.slice(1));
            return i % 2 === 0
              ? { requestId: id, label }
              : {
                  entities: { user_id: i },
                  at: T0 + Math.floor(i / 600) * HOUR + (i % 600) * 5000 + 1,
                  label,
                };
          }),
        );
        const reference = { table: referenceTable(2000), name: "training set" };
        const day = await monitorWindow({
          deployment: "fraud",
          from: T0,
          to: T0 + 3 * HOUR,
          reference,
          predictions: reader,
          labels,
          threshold: 0.6,
          slice: "country",
        });
        assert.equal(day.status, "ok");
        assert.equal(day.rows, 1800);
        assert.equal(day.hours.length, 3);
        assert.equal(day.profile!.rows, 1800);
        assert.equal(day.labels.status, "ok");
        assert.equal(day.labels.matched, 1200);
        assert.equal(day.labels.coverage, 1200 / 1800);
        const amount = day.report!.drift.columns.find((c) => c.column === "amount")!;
        assert.equal(amount.drifted, true);
        const overall = day.performance!.overall;
        assert.equal(overall.length, 3);
        assert.equal(day.performance!.threshold, 0.6);
        assert.ok(overall[0]!.metrics.auc! > 0.6, `auc ${overall[0]!.metrics.auc}`);
        assert.ok(overall[0]!.estimated!.auc! > 0.6);
        assert.equal(overall[2]!.labelled, 0);
        assert.ok(overall[2]!.estimated !== null, "CBPE estimates the hour that has no labels");
        assert.deepEqual(day.performance!.slices.map((s) => s.value).sort(), ["DE", "FR", "US"]);

        const calm = await monitorWindow({
          deployment: "fraud",
          from: T0,
          to: T0 + HOUR,
          reference: { profile: profileColumns(reference.table.columns) },
          predictions: reader,
          labels,
        });
        assert.equal(calm.report!.drift.columns.find((c) => c.column === "amount")!.drifted, false);
        assert.equal(
          calm.report!.drift.columns.find((c) => c.column === "country")!.drifted,
          false,
        );

        const unlabelled = await monitorWindow({
          deployment: "fraud",
          from: T0 + 2 * HOUR,
          to: T0 + 3 * HOUR,
          reference,
          predictions: reader,
          labels,
        });
        assert.equal(unlabelled.labels.status, "no labels");
        assert.equal(unlabelled.labels.coverage, 0);
        assert.ok(unlabelled.notes.some((n) => n.includes("No labels")));

        const empty = await monitorWindow({
          deployment: "fraud",
          from: T0 - 2 * HOUR,
          to: T0 - HOUR,
          reference,
          predictions: reader,
          labels,
        });
        assert.equal(empty.status, "no data");
        assert.equal(empty.report, null);
        assert.equal(empty.labels.coverage, null);
        const unknown = await monitorWindow({
          deployment: "nobody",
          from: T0,
          to: T0 + HOUR,
          reference,
          predictions: reader,
        });
        assert.equal(unknown.status, "no data");

        await assert.rejects(
          monitorWindow({
            deployment: "fraud",
            from: T0,
            to: T0 + HOUR,
            reference,
            predictions: reader,
            slice: "nope",
          }),
          (e: unknown) => isPlinthError(e, "MONITORING_INVALID_INPUT") && e.field === "slice",
        );
        await assert.rejects(
          monitorWindow({ deployment: "fraud", from: T0, to: T0, reference, predictions: reader }),
          (e: unknown) => isPlinthError(e, "MONITORING_INVALID_INPUT") && e.field === "to",
        );
      });
    });
  }
});
