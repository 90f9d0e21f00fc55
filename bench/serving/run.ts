/**
 * bench/serving: the model server's predict endpoint under load, next to its ceiling.
 *
 * - the model: a 200-tree, depth-8 GBDT (plinth's trainer) over 30 features: 20 from the
 *   online store (two feature views of one service, materialized into SQLite, and again into
 *   Redis) and 10 from the request;
 * - plinth: `plinth serve` (one process, then `--workers 2`) answering
 *   `POST /api/deployments/bench/predict`;
 * - the ceiling, in the same run: a minimal hand-written node:http server doing only the JSON
 *   parse, the same online lookup (the same compiled reader) and the same model (the same
 *   package and predictor) — bench/serving/ceiling-server.ts;
 * - load: autocannon on 127.0.0.1 (in this process), single predictions at concurrency 1, 16
 *   and 64, and batches of 100 rows at concurrency 16. Latency is each response's own time
 *   (autocannon's `response` event, sub-millisecond), not its whole-millisecond histogram.
 *
 * Targets compared with each other (ceiling vs plinth; one process vs two workers) run at
 * the same time and are measured interleaved, one-second slices in turn, so a busy shared
 * machine loads them alike.
 *
 *   npm run bench:serving                # 5 s per target and measurement, after 1 s of warm-up
 *   npm run bench:serving -- --quick     # 2 s
 *
 * Prints a table and writes bench/results/serving-<time>.json.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { resolveConfig } from "../../src/core/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import { createSeededRandom } from "../../src/core/seeded-random.ts";
import {
  deleteKeysWithPrefix,
  uniqueKeyPrefix,
} from "../../src/features/online/testing/redis-test-url.ts";
import { openPlatform } from "../../src/platform.ts";
import { trainAndLog } from "../../src/training/train-and-log.ts";
import { requestNames, SERVICE, writeBenchRepo } from "./bench-repo.ts";

const quick = process.argv.includes("--quick");
const SECONDS = quick ? 2 : 5;
const WARMUP_SECONDS = 1;
const USERS = 10_000;
const TRAIN_ROWS = quick ? 5_000 : 20_000;
const BATCH = 100;
const REDIS = process.env.PLINTH_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const CLI = fileURLToPath(new URL("../../src/cli/run.ts", import.meta.url));
const CEILING = fileURLToPath(new URL("./ceiling-server.ts", import.meta.url));

interface Measure {
  server: string;
  online: "sqlite" | "redis";
  shape: "single" | "batch100";
  connections: number;
  requestsPerSecond: number;
  rowsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

const home = mkdtempSync(join(tmpdir(), "plinth-bench-serving-"));
const repoDir = join(home, "repo");
mkdirSync(repoDir);
const children: ChildProcess[] = [];

const log = (text: string) => process.stderr.write(`${text}\n`);

/** Spawns a server process and resolves with its URL once it says it listens. */
async function startServer(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    env: { ...process.env, ...env, PLINTH_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += String(d);
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === "listening" && event.url !== undefined) resolve(event.url);
      } catch {
        // not the readiness line
      }
    });
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited ${code}: ${stderr}`)));
  });
  return { url, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

/** Waits until GET url answers 200 (the deployment's model is loaded). */
async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const r = await fetch(url).catch(() => undefined);
    if (r?.status === 200) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`${url} never became ready`);
}

/** Request bodies over random users and request values, cycled through by the load. */
function makeBodies(batch: number, count: number): string[] {
  const rng = createSeededRandom(11);
  const one = () => ({
    entities: { user_id: rng.nextInt(USERS) },
    request: Object.fromEntries(requestNames.map((n) => [n, Math.round(rng.next() * 1e4) / 1e2])),
  });
  return Array.from({ length: count }, () =>
    JSON.stringify(batch === 1 ? one() : { instances: Array.from({ length: batch }, one) }),
  );
}
const singleBodies = makeBodies(1, 2000);
const batchBodies = makeBodies(BATCH, 50);

const percentile = (xs: Float64Array, n: number, p: number): number => {
  const s = xs.slice(0, n).sort();
  return s[Math.min(n - 1, Math.floor(p * n))] ?? Number.NaN;
};

/** One autocannon run against `url`; latencies from each response's own timing. */
async function load(url: string, connections: number, bodies: string[], seconds: number) {
  let next = 0;
  let times = new Float64Array(1 << 14);
  let n = 0;
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        setupRequest: (req: { body?: string }) => ({
          ...req,
          body: bodies[next++ % bodies.length],
        }),
      },
    ],
  });
  instance.on("response", (_client: unknown, _status: number, _bytes: number, ms: number) => {
    if (n === times.length) {
      const grown = new Float64Array(times.length * 2);
      grown.set(times);
      times = grown;
    }
    times[n++] = ms;
  });
  const result = await instance;
  return {
    total: result.requests.total,
    times: times.subarray(0, n),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** A server under test: its name and the URL its predictions are posted to. */
interface Target {
  readonly server: string;
  readonly url: string;
}

/**
 * Measures `targets` against each other for every entry of `plan`, interleaved: after a
 * warm-up of each, ROUNDS one-second slices per target in turn (A B A B ...), so on a shared
 * machine every target sees the same background load; totals and latencies are pooled.
 */
async function measure(
  targets: readonly Target[],
  online: "sqlite" | "redis",
  plan: readonly { shape: "single" | "batch100"; connections: number }[],
  out: Measure[],
): Promise<void> {
  for (const { shape, connections } of plan) {
    const bodies = shape === "single" ? singleBodies : batchBodies;
    for (const t of targets) await load(t.url, connections, bodies, WARMUP_SECONDS);
    const pooled = targets.map(() => ({
      total: 0,
      times: [] as Float64Array[],
      errors: 0,
      non2xx: 0,
    }));
    for (let round = 0; round < SECONDS; round++) {
      for (const [k, t] of targets.entries()) {
        const r = await load(t.url, connections, bodies, 1);
        const acc = pooled[k]!;
        acc.total += r.total;
        acc.times.push(r.times.slice());
        acc.errors += r.errors;
        acc.non2xx += r.non2xx;
      }
    }
    const rows = shape === "single" ? 1 : BATCH;
    for (const [k, t] of targets.entries()) {
      const acc = pooled[k]!;
      const all = new Float64Array(acc.times.reduce((n, xs) => n + xs.length, 0));
      let at = 0;
      for (const xs of acc.times) {
        all.set(xs, at);
        at += xs.length;
      }
      const requestsPerSecond = acc.total / SECONDS;
      const m: Measure = {
        server: t.server,
        online,
        shape,
        connections,
        requestsPerSecond,
        rowsPerSecond: requestsPerSecond * rows,
        p50Ms: percentile(all, all.length, 0.5),
        p99Ms: percentile(all, all.length, 0.99),
        errors: acc.errors,
        non2xx: acc.non2xx,
      };
      out.push(m);
      log(
        `  ${t.server.padEnd(24)} ${online.padEnd(6)} ${shape.padEnd(8)} c=${String(connections).padEnd(3)} ${m.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${m.p50Ms.toFixed(2)} ms  p99 ${m.p99Ms.toFixed(2)} ms${m.errors + m.non2xx > 0 ? `  (${m.errors} errors, ${m.non2xx} non-2xx)` : ""}`,
      );
    }
  }
}

const FULL_PLAN = [
  { shape: "single", connections: 1 },
  { shape: "single", connections: 16 },
  { shape: "single", connections: 64 },
  { shape: "batch100", connections: 16 },
] as const;
const CLUSTER_PLAN = [
  { shape: "single", connections: 16 },
  { shape: "single", connections: 64 },
] as const;

const measures: Measure[] = [];
const redisPrefix = uniqueKeyPrefix();
const redisOnline = `${REDIS}?prefix=${encodeURIComponent(redisPrefix)}`;
let trainSeconds = 0;
try {
  log(`bench/serving: setting up in ${home} (${USERS} users, ${TRAIN_ROWS} training rows)`);
  const repo = await writeBenchRepo(repoDir, USERS, TRAIN_ROWS);
  const env = {
    PLINTH_HOME: home,
    PLINTH_FEATURES: repo.modulePath,
  };
  const platform = await openPlatform(resolveConfig({ env: { ...env } }), {
    logger: createLogger({ level: "silent" }),
  });
  await (await platform.features()).materializeIncremental(new Date());
  const started = performance.now();
  const trained = await trainAndLog(platform, {
    train: repo.train,
    params: { objective: "binary", numRounds: 200, maxDepth: 8, learningRate: 0.1, numThreads: 2 },
    experiment: "bench-serving",
    datasetHash: null,
    featureService: SERVICE,
  });
  trainSeconds = (performance.now() - started) / 1000;
  await platform.registry.models.create({ name: "bench" });
  const mv = await platform.registry.versions.create({
    name: "bench",
    source: trained.artifactUri,
    runId: trained.runId,
  });
  await platform.registry.aliases.set("bench", "champion", mv.version);
  await platform.deployments.create({
    name: "bench",
    variants: [{ name: "champion", model: "bench", alias: "champion", weight: 100, shadow: false }],
  });
  await platform.close();
  // The same features in Redis, under a prefix of this run's own.
  const redisPlatform = await openPlatform(
    resolveConfig({ env: { ...env, PLINTH_ONLINE_URL: redisOnline } }),
    { logger: createLogger({ level: "silent" }) },
  );
  await (await redisPlatform.features()).materializeIncremental(new Date());
  await redisPlatform.close();
  log(
    `  trained 200 trees of depth 8 over ${repo.inputNames.length} features in ${trainSeconds.toFixed(1)} s`,
  );

  for (const online of ["sqlite", "redis"] as const) {
    const serverEnv = online === "redis" ? { ...env, PLINTH_ONLINE_URL: redisOnline } : env;
    const serve = (workers: number) =>
      startServer(
        [
          CLI,
          "serve",
          "--deployments",
          "bench",
          "--port",
          "0",
          "--workers",
          String(workers),
          "--json",
        ],
        serverEnv,
      );
    const [ceiling, plinth] = await Promise.all([
      startServer([CEILING, "bench", mv.version, SERVICE], serverEnv),
      serve(1),
    ]);
    await waitReady(`${plinth.url}/v2/models/bench/ready`);
    const targets = [
      { server: "ceiling (node:http)", url: ceiling.url },
      { server: "plinth serve", url: `${plinth.url}/api/deployments/bench/predict` },
    ];
    await measure(targets, online, FULL_PLAN, measures);
    await stop(ceiling.child);
    if (online === "sqlite") {
      const cluster = await serve(2);
      // Each worker must have loaded the model; readiness is per process, so ask a few times.
      for (let i = 0; i < 8; i++) await waitReady(`${cluster.url}/v2/models/bench/ready`);
      await measure(
        [
          { server: "plinth serve, 1 process", url: targets[1]!.url },
          {
            server: "plinth serve --workers 2",
            url: `${cluster.url}/api/deployments/bench/predict`,
          },
        ],
        online,
        CLUSTER_PLAN,
        measures,
      );
      await stop(cluster.child);
    }
    await stop(plinth.child);
  }
} finally {
  for (const c of children) await stop(c);
  await deleteKeysWithPrefix(REDIS, redisPrefix).catch(() => {});
  rmSync(home, { recursive: true, force: true });
}

const find = (server: string, online: string, shape: string, c: number) =>
  measures.find(
    (m) => m.server === server && m.online === online && m.shape === shape && m.connections === c,
  );
const ratios: Record<string, number> = {};
for (const online of ["sqlite", "redis"]) {
  const p = find("plinth serve", online, "single", 16);
  const c = find("ceiling (node:http)", online, "single", 16);
  if (p && c) ratios[`plinth/ceiling c16 ${online}`] = p.requestsPerSecond / c.requestsPerSecond;
}
for (const conns of [16, 64]) {
  const one = find("plinth serve, 1 process", "sqlite", "single", conns);
  const two = find("plinth serve --workers 2", "sqlite", "single", conns);
  if (one && two)
    ratios[`workers 2 / 1 process c${conns}`] = two.requestsPerSecond / one.requestsPerSecond;
}

const header = [
  "server",
  "online",
  "shape",
  "conns",
  "req/s",
  "rows/s",
  "p50 ms",
  "p99 ms",
  "errors",
];
const table = measures.map((m) => [
  m.server,
  m.online,
  m.shape,
  String(m.connections),
  m.requestsPerSecond.toFixed(0),
  m.rowsPerSecond.toFixed(0),
  m.p50Ms.toFixed(2),
  m.p99Ms.toFixed(2),
  String(m.errors + m.non2xx),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
const line = (cells: string[]) =>
  cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
console.log(`\nbench/serving (${cpus().length} cores, ${SECONDS} s per measurement)\n`);
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const r of table) console.log(line(r));
console.log("");
for (const [k, v] of Object.entries(ratios)) console.log(`${k.padEnd(32)} ${v.toFixed(2)}`);

mkdirSync("bench/results", { recursive: true });
const file = `bench/results/serving-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
writeFileSync(
  file,
  JSON.stringify(
    {
      quick,
      secondsPerMeasure: SECONDS,
      users: USERS,
      trainRows: TRAIN_ROWS,
      model: { trees: 200, maxDepth: 8, features: 30, online: 20, request: 10 },
      trainSeconds,
      cores: cpus().length,
      measures,
      ratios,
      note: "autocannon in the bench process on the same 2-core machine (shared with other agents) as the server",
    },
    null,
    2,
  ),
);
console.log(`\nwrote ${file}`);
