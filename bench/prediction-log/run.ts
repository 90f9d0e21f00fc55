/**
 * bench/prediction-log: what the prediction log costs serving and what reading a window
 * costs monitoring, on the embedded artifact store (a local directory, fsync on every put).
 *
 *   - append: ns per `append` on the request path (records pre-built, so only the queue is timed);
 *   - the longest event-loop stall while the writer serialises and writes (the request path's worst wait);
 *   - write: records/s from `append` to durable segments (`flush`), 30 features per record;
 *   - read: records/s of `read` over the window, and of `predictionTable` on them.
 *
 *   npm run bench:prediction-log               # 500,000 records
 *   npm run bench:prediction-log -- --quick    # 50,000
 *
 * Prints a table and writes bench/results/prediction-log-<time>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { createLocalArtifactStore } from "../../src/artifacts/local/local-artifact-store.ts";
import { predictionTable } from "../../src/monitoring/prediction-window/prediction-table.ts";
import { createPredictionLog } from "../../src/serving/prediction-log/create-prediction-log.ts";
import { createPredictionLogReader } from "../../src/serving/prediction-log/create-prediction-log-reader.ts";
import type { PredictionRecord } from "../../src/serving/prediction-log/prediction-record.ts";

const quick = process.argv.includes("--quick");
const N = quick ? 50_000 : 500_000;
const T0 = Date.UTC(2026, 11, 6, 0);

function record(i: number): PredictionRecord {
  const features: Record<string, number | string | null> = {};
  for (let f = 0; f < 25; f++) features[`f${f}`] = ((i * 31 + f * 7) % 1000) / 10;
  for (let f = 25; f < 30; f++) features[`c${f}`] = `v${(i + f) % 17}`;
  return {
    requestId: `req-${i.toString(36)}`,
    at: T0 + Math.floor(i / 10),
    deployment: "fraud",
    variant: i % 10 === 0 ? "challenger" : "champion",
    shadow: false,
    modelName: "fraud",
    modelVersion: "3",
    entities: { user_id: i % 10_000 },
    features,
    outputs: { score: (i % 100) / 100 },
    latencyMs: 1.5,
  };
}

const root = mkdtempSync(join(tmpdir(), "plinth-bench-predlog-"));
try {
  const artifacts = createLocalArtifactStore({ root });
  const records = Array.from({ length: N }, (_, i) => record(i));
  const log = createPredictionLog({
    artifacts,
    maxQueue: N,
    segmentMaxRows: 100_000,
    segmentMaxAgeMs: 300_000,
    flushIntervalMs: 1000,
  });
  const stall = monitorEventLoopDelay({ resolution: 1 });
  const t0 = performance.now();
  for (const r of records) log.append(r);
  const appendNs = ((performance.now() - t0) * 1e6) / N;
  stall.enable();
  const t1 = performance.now();
  await log.close();
  const writeS = (performance.now() - t1) / 1000;
  stall.disable();
  const stats = log.stats();

  const reader = createPredictionLogReader(artifacts);
  const t2 = performance.now();
  const read = await reader.read({ deployment: "fraud", from: T0, to: T0 + N });
  const readS = (performance.now() - t2) / 1000;
  // The floor for reading: one JSON.parse of every record's line, with no I/O and no checks.
  const lines = `[${read.map((r) => JSON.stringify(r)).join(",")}]`;
  const tf = performance.now();
  JSON.parse(lines);
  const floorS = (performance.now() - tf) / 1000;
  const t3 = performance.now();
  const table = predictionTable(read);
  const tableS = (performance.now() - t3) / 1000;
  if (read.length !== N || table.rows !== N) throw new Error(`read ${read.length} of ${N}`);

  const result = {
    records: N,
    features: 30,
    segments: stats.segments,
    appendNsPerRecord: appendNs,
    writeRecordsPerSecond: N / writeS,
    maxEventLoopStallMs: stall.max / 1e6,
    readRecordsPerSecond: N / readS,
    jsonParseFloorRecordsPerSecond: N / floorS,
    tableRecordsPerSecond: N / tableS,
    loadAverage: loadavg(),
  };
  const rows = [
    ["append (request path)", `${appendNs.toFixed(0)} ns/record`],
    [
      "write to durable segments",
      `${Math.round(result.writeRecordsPerSecond).toLocaleString()} records/s (${stats.segments} segments)`,
    ],
    ["longest event-loop stall while writing", `${result.maxEventLoopStallMs.toFixed(1)} ms`],
    ["read a window", `${Math.round(result.readRecordsPerSecond).toLocaleString()} records/s`],
    [
      "  floor: JSON.parse of the same records",
      `${Math.round(result.jsonParseFloorRecordsPerSecond).toLocaleString()} records/s`,
    ],
    [
      "records -> MonitoringTable",
      `${Math.round(result.tableRecordsPerSecond).toLocaleString()} records/s`,
    ],
  ];
  for (const [what, value] of rows) console.log(`${what!.padEnd(40)} ${value}`);
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  mkdirSync("bench/results", { recursive: true });
  const file = `bench/results/prediction-log-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${file}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
