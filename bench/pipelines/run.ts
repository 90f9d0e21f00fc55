/**
 * bench/pipelines: scheduling overhead per step of no-op pipelines — a chain of N steps
 * (each waits for the one before) and a fan-out of N items (foreach) — in-process and on
 * the Redis queue with two real `plinth worker` processes, over the embedded stores
 * (SQLite, local artifacts). Every step does the real bookkeeping: cache lookup, run-state
 * rows, a child tracking run, content-addressed outputs.
 *
 * Peers, run on the same machine in the same run: none of the anchors (Metaflow,
 * Kubeflow, Dagster, Airflow) installs here, so the floors are measured instead — bare
 * async functions for in-process, and bare BullMQ jobs on two bare worker processes for
 * the queue: what the same shape costs with no pipeline bookkeeping at all.
 *
 *   npm run bench:pipelines                # N = 1000, median of 3 runs
 *   npm run bench:pipelines -- --quick     # N = 100
 *
 * Prints a table and writes bench/results/pipelines-<time>.json.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Queue, QueueEvents } from "bullmq";
import { resolveConfig } from "../../src/core/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import type { Pipeline } from "../../src/pipelines/definition/define-pipeline.ts";
import type { ExecutorConfig } from "../../src/pipelines/executors/executor-config.ts";
import { QUEUE_PREFIX } from "../../src/pipelines/executors/queue/queue-protocol.ts";
import { runPipeline } from "../../src/pipelines/run/run-pipeline.ts";
import { openPlatform } from "../../src/platform.ts";

const quick = process.argv.includes("--quick");
const N = quick ? 100 : 1000;
const REPEATS = 3;
const REDIS = process.env.PLINTH_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
process.env.PLINTH_BENCH_PIPELINE_STEPS = String(N);
const { chain, fanout } = await import("./noop-pipelines.ts");

const here = import.meta.dirname;
const CLI = fileURLToPath(new URL("../../src/cli/run.ts", import.meta.url));
const home = mkdtempSync(join(tmpdir(), "plinth-bench-pipelines-"));
const env = {
  ...process.env,
  PLINTH_METADATA_URL: join(home, "metadata.sqlite"),
  PLINTH_ARTIFACTS: join(home, "artifacts"),
  PLINTH_LOG_LEVEL: "warn",
};
const platform = await openPlatform(
  resolveConfig({
    overrides: { home, metadataUrl: env.PLINTH_METADATA_URL, artifacts: env.PLINTH_ARTIFACTS },
    env: {},
  }),
  { logger: createLogger({ level: "silent" }) },
);
const children: ChildProcess[] = [];
const queues: string[] = [];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Spawns a process and waits for a line on stdout that says it is ready. */
async function startProcess(
  args: string[],
  ready: (line: string) => boolean,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += String(d);
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on(
      "line",
      (l) => ready(l) && resolve(),
    );
    child.once("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  return child;
}

async function stopAll(): Promise<void> {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const exited = once(c, "exit");
    c.kill("SIGTERM");
    await exited;
  }
}

/** ms per step of `pipeline` with `executor`, per repeat. */
async function plinthRuns(
  pipeline: Pipeline,
  steps: number,
  executor: ExecutorConfig,
  moduleUrl: string,
) {
  const perStep: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const started = performance.now();
    const result = await runPipeline(pipeline, {
      platform,
      params: { salt: randomUUID() },
      executor,
      moduleUrl,
    });
    const ms = performance.now() - started;
    if (result.status !== "succeeded")
      throw new Error(`${pipeline.name} ${result.status}: ${result.error}`);
    perStep.push(ms / steps);
  }
  return perStep;
}

/** The in-process floor: the same shape as bare async calls under the same concurrency. */
async function bareInProcess(shape: "chain" | "fanout"): Promise<number[]> {
  const perStep: number[] = [];
  const noop = async (v: string) => ({ v });
  for (let r = 0; r < REPEATS; r++) {
    const started = performance.now();
    if (shape === "chain") {
      let v = "salt";
      for (let i = 0; i < N; i++) v = (await noop(v)).v;
    } else {
      const items = Array.from({ length: N }, (_, i) => `x-${i}`);
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < items.length) await noop(items[next++] as string);
        }),
      );
    }
    perStep.push((performance.now() - started) / (shape === "chain" ? N : N + 2));
  }
  return perStep;
}

/** The queue floor: bare BullMQ jobs, answered at once by two bare worker processes. */
async function bareQueue(shape: "chain" | "fanout"): Promise<number[]> {
  const name = `bench-bare-${randomUUID()}`;
  queues.push(name);
  for (let w = 0; w < 2; w++)
    await startProcess([join(here, "bare-worker.ts"), REDIS, name], (l) => l === "ready");
  const queue = new Queue(name, { connection: { url: REDIS }, prefix: QUEUE_PREFIX });
  // As the queue executor does: read the events stream from its start (the queue is new),
  // so no completion is missed between creating the reader and its first read.
  const events = new QueueEvents(name, {
    connection: { url: REDIS, maxRetriesPerRequest: null },
    prefix: QUEUE_PREFIX,
    lastEventId: "0-0",
  });
  events.setMaxListeners(0);
  await events.waitUntilReady();
  const job = (v: string) =>
    new Promise<void>((resolve, reject) => {
      const id = randomUUID();
      // BullMQ emits per-job events under `<event>:<jobId>`; its listener types omit them.
      const emitter = events as unknown as NodeJS.EventEmitter;
      emitter.once(`completed:${id}`, () => resolve());
      emitter.once(`failed:${id}`, () => reject(new Error("failed")));
      queue.add("bare", { v }, { jobId: id, removeOnComplete: true }).catch(reject);
    });
  const perStep: number[] = [];
  try {
    for (let r = 0; r < REPEATS; r++) {
      const started = performance.now();
      if (shape === "chain") {
        for (let i = 0; i < N; i++) await job(`v${i}`);
      } else {
        let next = 0;
        await Promise.all(
          Array.from({ length: 64 }, async () => {
            while (next < N) await job(`v${next++}`);
          }),
        );
      }
      perStep.push((performance.now() - started) / (shape === "chain" ? N : N + 2));
    }
  } finally {
    await events.close();
    await queue.close();
    await stopAll();
  }
  return perStep;
}

interface Row {
  shape: "chain" | "fanout";
  executor: "in-process" | "queue";
  plinth: number[];
  peer: number[];
  target: number;
}
const rows: Row[] = [];
const chainUrl = pathToFileURL(join(here, "noop-pipelines.ts")).href;
const fanoutUrl = pathToFileURL(join(here, "fanout-module.ts")).href;
const steps = { chain: N, fanout: N + 2 };

try {
  for (const shape of ["chain", "fanout"] as const) {
    const pipeline = shape === "chain" ? chain : fanout;
    const url = shape === "chain" ? chainUrl : fanoutUrl;
    console.error(`in-process ${shape}, ${N} steps ...`);
    rows.push({
      shape,
      executor: "in-process",
      plinth: await plinthRuns(pipeline, steps[shape], { type: "in-process", concurrency: 8 }, url),
      peer: await bareInProcess(shape),
      target: 5,
    });
  }
  for (const shape of ["chain", "fanout"] as const) {
    const queue = `bench-plinth-${randomUUID()}`;
    queues.push(queue);
    console.error(`queue ${shape}, ${N} steps, 2 plinth workers ...`);
    for (let w = 0; w < 2; w++) {
      await startProcess(
        [
          CLI,
          "worker",
          "--redis",
          REDIS,
          "--queue",
          queue,
          "--concurrency",
          "8",
          "--home",
          home,
          "--json",
        ],
        (l) => l.includes('"event":"ready"'),
      );
    }
    const pipeline = shape === "chain" ? chain : fanout;
    const url = shape === "chain" ? chainUrl : fanoutUrl;
    const plinth = await plinthRuns(
      pipeline,
      steps[shape],
      { type: "queue", redisUrl: REDIS, queue, concurrency: 64 },
      url,
    );
    await stopAll();
    rows.push({ shape, executor: "queue", plinth, peer: await bareQueue(shape), target: 20 });
  }
} finally {
  await stopAll();
  for (const name of queues) {
    const q = new Queue(name, { connection: { url: REDIS }, prefix: QUEUE_PREFIX });
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
  }
  await platform.close();
  rmSync(home, { recursive: true, force: true });
}

const fmt = (x: number) => (x >= 1 ? x.toFixed(2) : x.toFixed(3));
const header = [
  "shape",
  "executor",
  `plinth ms/step (median of ${REPEATS})`,
  "peer ms/step",
  "ratio",
  "target",
  "met",
];
const table = rows.map((r) => {
  const p = median(r.plinth);
  const q = median(r.peer);
  return [
    `${r.shape} x${N}`,
    r.executor,
    fmt(p),
    `${fmt(q)} (${r.executor === "queue" ? "bare BullMQ" : "bare async"})`,
    `${(p / q).toFixed(1)}x`,
    `< ${r.target}`,
    p < r.target ? "yes" : "NO",
  ];
});
const widths = header.map((h, i) =>
  Math.max(h.length, ...table.map((row) => (row[i] as string).length)),
);
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  ");
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const row of table) console.log(line(row));
console.log(
  `\n${cpus().length} cores (${cpus()[0]?.model}), shared with other engineers' work: numbers are noisy. SQLite metadata, local artifacts, Redis at ${REDIS}.`,
);

const out = join(here, "../results");
mkdirSync(out, { recursive: true });
const file = join(out, `pipelines-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(
  file,
  `${JSON.stringify(
    {
      bench: "pipelines",
      quick,
      steps: N,
      repeats: REPEATS,
      machine: { cores: cpus().length, model: cpus()[0]?.model, shared: true },
      results: rows.map((r) => ({
        ...r,
        plinthMedianMsPerStep: median(r.plinth),
        peerMedianMsPerStep: median(r.peer),
        peer: {
          name: r.executor === "queue" ? "bare BullMQ, 2 worker processes" : "bare async calls",
          msPerStep: r.peer,
        },
      })),
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${file}`);
