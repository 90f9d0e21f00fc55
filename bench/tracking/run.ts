/**
 * bench/tracking: metrics/s through the REST log-batch API, and search-runs latency over
 * 10,000 runs with 20 metrics each, on SQLite and (when PLINTH_BENCH_POSTGRES_URL or
 * PLINTH_TEST_POSTGRES_URL is set) PostgreSQL. The server runs as its own process, as a
 * user would run it; the load comes from this process over 127.0.0.1.
 *
 *   npm run bench:tracking                 # full size
 *   npm run bench:tracking -- --quick      # a smoke-sized run
 *
 * Prints a table and writes bench/results/tracking-<time>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import { resolveConfig } from "../../src/core/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import { postMlflow as post } from "../../src/http/testing/post-mlflow.ts";
import { spawnServer } from "../../src/http/testing/spawn-server.ts";
import { openPlatform } from "../../src/platform.ts";

const quick = process.argv.includes("--quick");
const SIZES = quick
  ? {
      clients: 4,
      batchesPerClient: 10,
      batchSize: 1000,
      runs: 500,
      metricsPerRun: 20,
      searchReps: 15,
      repeats: 1,
    }
  : {
      clients: 4,
      batchesPerClient: 50,
      batchSize: 1000,
      runs: 10_000,
      metricsPerRun: 20,
      searchReps: 60,
      repeats: 3,
    };
const pgUrl = process.env.PLINTH_BENCH_POSTGRES_URL ?? process.env.PLINTH_TEST_POSTGRES_URL;

interface Row {
  backend: string;
  measure: string;
  median: number;
  unit: string;
  detail: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

function metadataUrlFor(backend: string): string | undefined {
  if (backend === "sqlite") return undefined;
  const url = new URL(pgUrl!);
  url.searchParams.set("schema", `plinth_bench_${process.pid}_${Date.now()}`);
  return url.toString();
}

async function dropIfPostgres(home: string, metadataUrl: string | undefined) {
  if (metadataUrl === undefined) return;
  const platform = await openPlatform(
    resolveConfig({ overrides: { home, metadataUrl }, env: {} }),
    {
      logger: createLogger({ level: "silent" }),
    },
  );
  await sql`drop schema if exists ${sql.id(new URL(metadataUrl).searchParams.get("schema")!)} cascade`.execute(
    platform.metadata.db,
  );
  await platform.close();
}

/** Metrics/s: `clients` concurrent loops, each sending log-batch requests of `batchSize` metrics. */
async function ingestion(backend: string): Promise<Row> {
  const rates: number[] = [];
  for (let rep = 0; rep < SIZES.repeats; rep++) {
    const home = mkdtempSync(join(tmpdir(), "plinth-bench-"));
    const metadataUrl = metadataUrlFor(backend);
    const server = await spawnServer(home, metadataUrl ? { PLINTH_METADATA_URL: metadataUrl } : {});
    try {
      const exp = await post(server.url, "/experiments/create", { name: "ingest" });
      const runIds: string[] = [];
      for (let c = 0; c < SIZES.clients; c++) {
        const run = await post(server.url, "/runs/create", { experiment_id: exp.experiment_id });
        runIds.push((run.run as { info: { run_id: string } }).info.run_id);
      }
      // Bodies are built before the clock starts: the bench measures the server.
      const bodies = runIds.map((runId, c) =>
        Array.from({ length: SIZES.batchesPerClient }, (_, b) =>
          JSON.stringify({
            run_id: runId,
            metrics: Array.from({ length: SIZES.batchSize }, (_, j) => ({
              key: `m${j % 20}`,
              value: Math.sin(b * SIZES.batchSize + j + c),
              timestamp: 1_700_000_000_000 + b,
              step: b * SIZES.batchSize + j,
            })),
          }),
        ),
      );
      const start = performance.now();
      await Promise.all(
        bodies.map(async (batches) => {
          for (const body of batches) {
            const r = await fetch(`${server.url}/api/2.0/mlflow/runs/log-batch`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body,
            });
            if (r.status !== 200) throw new Error(`log-batch: ${r.status} ${await r.text()}`);
            await r.arrayBuffer();
          }
        }),
      );
      const seconds = (performance.now() - start) / 1000;
      rates.push((SIZES.clients * SIZES.batchesPerClient * SIZES.batchSize) / seconds);
    } finally {
      await server.kill("SIGTERM");
      await dropIfPostgres(home, metadataUrl);
      rmSync(home, { recursive: true, force: true });
    }
  }
  return {
    backend,
    measure: "log-batch ingestion",
    median: Math.round(median(rates)),
    unit: "metrics/s",
    detail: `${SIZES.clients} clients × ${SIZES.batchesPerClient} batches × ${SIZES.batchSize} metrics; runs: ${rates.map((r) => Math.round(r)).join(", ")}`,
  };
}

/** Search latency over `runs` runs with `metricsPerRun` metrics, 3 params and 2 tags each. */
async function search(backend: string): Promise<Row[]> {
  const home = mkdtempSync(join(tmpdir(), "plinth-bench-"));
  const metadataUrl = metadataUrlFor(backend);
  try {
    const platform = await openPlatform(
      resolveConfig({ overrides: { home, ...(metadataUrl ? { metadataUrl } : {}) }, env: {} }),
      {
        logger: createLogger({ level: "silent" }),
      },
    );
    const exp = await platform.tracking.experiments.create({ name: "search" });
    const fillStart = performance.now();
    for (let i = 0; i < SIZES.runs; i++) {
      const run = await platform.tracking.runs.create({
        experimentId: exp,
        runName: `run-${i}`,
        startTime: 1_700_000_000_000 + i,
      });
      await platform.tracking.runs.logBatch(run.info.runId, {
        metrics: Array.from({ length: SIZES.metricsPerRun }, (_, k) => ({
          key: `m${k}`,
          value: ((i * 7919 + k * 104729) % 10_000) / 10_000,
          timestamp: 1,
          step: 0,
        })),
        params: [
          { key: "model", value: i % 3 === 0 ? "gbdt" : i % 3 === 1 ? "linear" : "forest" },
          { key: "eta", value: String((i % 10) / 10) },
          { key: "depth", value: String(i % 12) },
        ],
        tags: [
          { key: "team", value: i % 4 === 0 ? "risk" : "growth" },
          { key: "mlflow.user", value: `user${i % 17}` },
        ],
      });
    }
    const fillSeconds = (performance.now() - fillStart) / 1000;
    await platform.close();

    const server = await spawnServer(home, metadataUrl ? { PLINTH_METADATA_URL: metadataUrl } : {});
    const queries: Array<[string, Record<string, unknown>]> = [
      ["metric filter, 100 results", { filter: "metrics.m0 > 0.9", max_results: 100 }],
      [
        "metric+param filter, order by metric, 100",
        {
          filter: "metrics.m0 > 0.5 and params.model = 'gbdt'",
          order_by: ["metrics.m1 DESC"],
          max_results: 100,
        },
      ],
      ["tag filter, 100 results", { filter: "tags.team = 'risk'", max_results: 100 }],
      ["no filter, 1000 results", { max_results: 1000 }],
    ];
    const rows: Row[] = [];
    try {
      for (const [label, body] of queries) {
        const times: number[] = [];
        let count = 0;
        for (let rep = 0; rep < SIZES.searchReps + 3; rep++) {
          const start = performance.now();
          const json = await post(server.url, "/runs/search", { experiment_ids: [exp], ...body });
          const ms = performance.now() - start;
          if (rep >= 3) times.push(ms); // the first three warm caches
          count = (json.runs as unknown[] | undefined)?.length ?? 0;
        }
        rows.push({
          backend,
          measure: `search: ${label}`,
          median: Number(median(times).toFixed(2)),
          unit: "ms (p50)",
          detail: `p95 ${percentile(times, 0.95).toFixed(2)} ms; ${count} runs returned of ${SIZES.runs}; ${SIZES.searchReps} reps`,
        });
      }
    } finally {
      await server.kill("SIGTERM");
    }
    rows.push({
      backend,
      measure: "fill (SDK service, in-process)",
      median: Math.round(SIZES.runs / fillSeconds),
      unit: "runs/s",
      detail: `${SIZES.runs} runs × (${SIZES.metricsPerRun} metrics, 3 params, 2 tags)`,
    });
    return rows;
  } finally {
    await dropIfPostgres(home, metadataUrl);
    rmSync(home, { recursive: true, force: true });
  }
}

const backends = ["sqlite", ...(pgUrl ? ["postgres"] : [])];
const rows: Row[] = [];
for (const backend of backends) {
  process.stderr.write(`[bench:tracking] ${backend}: ingestion…\n`);
  rows.push(await ingestion(backend));
  process.stderr.write(`[bench:tracking] ${backend}: filling ${SIZES.runs} runs and searching…\n`);
  rows.push(...(await search(backend)));
}

const width = (k: keyof Row) => Math.max(k.length, ...rows.map((r) => String(r[k]).length));
const cols: Array<keyof Row> = ["backend", "measure", "median", "unit", "detail"];
console.log(cols.map((c) => c.padEnd(width(c))).join("  "));
for (const r of rows) console.log(cols.map((c) => String(r[c]).padEnd(width(c))).join("  "));

mkdirSync(new URL("../results/", import.meta.url), { recursive: true });
const file = new URL(
  `../results/tracking-${new Date().toISOString().replaceAll(":", "-")}.json`,
  import.meta.url,
);
writeFileSync(
  file,
  JSON.stringify(
    { bench: "tracking", quick, sizes: SIZES, node: process.version, cpus: 2, rows },
    null,
    2,
  ),
);
console.log(`wrote ${file.pathname}`);
