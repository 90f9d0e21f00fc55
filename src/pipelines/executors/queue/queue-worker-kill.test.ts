import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { createLocalArtifactStore } from "../../../artifacts/local/local-artifact-store.ts";
import { createSqliteMetadataStore } from "../../../metadata/sqlite/create-sqlite-metadata-store.ts";
import { createRegistryService } from "../../../registry/registry-service.ts";
import { createTrackingService } from "../../../tracking/tracking-service.ts";
import { loadPipelineFile } from "../../definition/load-pipeline-file.ts";
import { runPipeline } from "../../run/run-pipeline.ts";
import { createMetadataPipelineRunStore } from "../../state/metadata/create-metadata-pipeline-run-store.ts";
import { createPipelineModuleDir } from "../../testing/write-pipeline-module.ts";
import { QUEUE_PREFIX } from "./queue-protocol.ts";

const REDIS = process.env.PLINTH_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const RUN = fileURLToPath(new URL("../../../cli/run.ts", import.meta.url));
const QUEUE = `test-kill-${randomUUID()}`;

const modules = createPipelineModuleDir("plinth-worker-kill-");
const MARKS = join(modules.dir, "marks");
mkdirSync(MARKS);
const FILE = modules.write(
  "kill.ts",
  `import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
const MARKS = ${JSON.stringify(MARKS)};
const prepare = step("prepare", { cache: false, run: async () => ({ rows: [1, 2, 3] }) });
const slow = step("slow", {
  cache: false,
  inputs: { rows: prepare.output("rows") },
  run: async ({ rows }, ctx) => {
    const earlier = await readdir(MARKS);
    await writeFile(join(MARKS, process.pid + ".started"), "");
    ctx.log("slow step on worker " + process.pid);
    // The first worker to get here is killed while it waits; the next finishes at once.
    if (earlier.length === 0) await new Promise((resolve) => setTimeout(resolve, 60_000));
    return { pid: process.pid, total: rows.reduce((a, b) => a + b, 0) };
  },
});
const report = step("report", {
  cache: false,
  inputs: { total: slow.output("total") },
  run: async ({ total }) => ({ text: "total=" + total }),
});
export default definePipeline({ name: "worker-kill", steps: [prepare, slow, report] });
`,
);
const home = join(modules.dir, "home");
const env = {
  ...process.env,
  PLINTH_METADATA_URL: join(home, "metadata.sqlite"),
  PLINTH_ARTIFACTS: join(home, "artifacts"),
  PLINTH_LOG_LEVEL: "warn",
};
const workers: ChildProcess[] = [];

after(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill("SIGKILL");
  const queue = new Queue(QUEUE, { connection: { url: REDIS }, prefix: QUEUE_PREFIX });
  await queue.obliterate({ force: true });
  await queue.close();
  modules.cleanup();
});

/** Starts `plinth worker` as a real process and waits for its ready line. */
async function startWorker(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      RUN,
      "worker",
      "--redis",
      REDIS,
      "--queue",
      QUEUE,
      "--lock-duration",
      "1000",
      "--stalled-interval",
      "500",
      "--home",
      home,
      "--json",
    ],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  workers.push(child);
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += String(d);
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  await new Promise<void>((resolve, reject) => {
    lines.on("line", (line) => {
      if (line.includes('"event":"ready"')) resolve();
    });
    child.once("exit", (code) => reject(new Error(`worker exited ${code}: ${stderr}`)));
  });
  return child;
}

test("a worker killed mid-step has its step finished by another worker", async () => {
  // Migrated here first: two processes migrating one new SQLite file at once race.
  const metadata = await createSqliteMetadataStore({ path: env.PLINTH_METADATA_URL });
  const [first, second] = await Promise.all([startWorker(), startWorker()]);
  try {
    const platform = {
      metadata,
      artifacts: createLocalArtifactStore({ root: env.PLINTH_ARTIFACTS }),
      tracking: createTrackingService(metadata),
      registry: createRegistryService(metadata),
    };
    const { pipeline, moduleUrl } = await loadPipelineFile(FILE);
    const running = runPipeline(pipeline, {
      platform,
      moduleUrl,
      executor: { type: "queue", redisUrl: REDIS, queue: QUEUE },
    });
    let victim: string | undefined;
    for (let i = 0; i < 1000 && victim === undefined; i++) {
      victim = readdirSync(MARKS)[0]?.replace(".started", "");
      if (victim === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(victim !== undefined, "the slow step started on a worker");
    const killed = [first, second].find((w) => String(w?.pid) === victim) as ChildProcess;
    const survivor = killed === first ? second : first;
    const exited = once(killed, "exit");
    killed.kill("SIGKILL");
    await exited;
    const started = Date.now();
    const result = await running;
    assert.equal(result.status, "succeeded", JSON.stringify(result.steps.map((s) => s.error)));
    assert.ok(Date.now() - started < 20_000);
    assert.equal(await result.output("slow", "pid"), survivor?.pid);
    assert.equal(await result.output("report", "text"), "total=6");
    const slow = result.steps.find((s) => s.step === "slow");
    // BullMQ re-ran the job: the runner's own retries were not needed.
    assert.equal(slow?.attempts, 1);
    const [log] = await createMetadataPipelineRunStore(metadata).logs(result.runId, "slow");
    assert.match(log?.logs ?? "", /re-queued 1 time\(s\) after losing its worker/);
    assert.match(log?.logs ?? "", new RegExp(`slow step on worker ${survivor?.pid}`));
    assert.ok(existsSync(join(MARKS, `${survivor?.pid}.started`)));
    assert.equal(readFileSync(join(MARKS, `${victim}.started`), "utf8"), "");
  } finally {
    await metadata.close();
    for (const w of workers) {
      if (w.exitCode !== null || w.signalCode !== null) continue;
      const exited = once(w, "exit");
      w.kill("SIGTERM");
      await exited;
    }
  }
});
