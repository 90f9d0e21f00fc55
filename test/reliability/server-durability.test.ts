/**
 * Reliability of the tracking server as a real process:
 * - SIGKILL in the middle of a stream of log-batch writes loses no acknowledged write and
 *   leaves no half-written batch;
 * - 16 concurrent clients each logging 10,000 metrics lose none.
 * Both run on SQLite, and on PostgreSQL when PLINTH_TEST_POSTGRES_URL is set.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { sql } from "kysely";
import { resolveConfig } from "../../src/core/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import { postMlflow as post } from "../../src/http/testing/post-mlflow.ts";
import { spawnServer } from "../../src/http/testing/spawn-server.ts";
import { TEST_POSTGRES_URL } from "../../src/metadata/testing/metadata-backends.ts";
import { openPlatform } from "../../src/platform.ts";

const backends: Array<{ name: string; metadataUrl: () => string | undefined }> = [
  { name: "sqlite", metadataUrl: () => undefined },
];
if (TEST_POSTGRES_URL) {
  backends.push({
    name: "postgres",
    metadataUrl: () => {
      const url = new URL(TEST_POSTGRES_URL!);
      url.searchParams.set(
        "schema",
        `plinth_durability_${process.pid}_${Math.random().toString(36).slice(2, 8)}`,
      );
      return url.toString();
    },
  });
}

async function createRun(url: string, name: string): Promise<string> {
  const exp = await post(url, "/experiments/create", { name });
  const run = await post(url, "/runs/create", { experiment_id: exp.experiment_id });
  return (run.run as { info: { run_id: string } }).info.run_id;
}

function openAfter(home: string, metadataUrl: string | undefined) {
  const config = resolveConfig({
    overrides: { home, ...(metadataUrl ? { metadataUrl } : {}) },
    env: {},
  });
  return openPlatform(config, { logger: createLogger({ level: "silent" }) });
}

async function dropSchema(home: string, metadataUrl: string | undefined) {
  if (metadataUrl === undefined) return;
  const platform = await openAfter(home, metadataUrl);
  const schema = new URL(metadataUrl).searchParams.get("schema")!;
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(platform.metadata.db);
  await platform.close();
}

for (const backend of backends) {
  describe(`tracking server durability on ${backend.name}`, () => {
    test("SIGKILL mid-stream loses no acknowledged batch and leaves no half batch", async () => {
      const home = mkdtempSync(join(tmpdir(), "plinth-kill-"));
      const metadataUrl = backend.metadataUrl();
      const env = metadataUrl ? { PLINTH_METADATA_URL: metadataUrl } : {};
      try {
        const server = await spawnServer(home, env);
        const runId = await createRun(server.url, "kill-test");
        const BATCH = 100;
        const acknowledged: number[] = [];
        let next = 0;
        let killed = false;
        const writer = async (worker: number) => {
          while (!killed) {
            const batch = next++;
            const metrics = Array.from({ length: BATCH }, (_, j) => ({
              key: `w${worker}`,
              value: batch * BATCH + j,
              timestamp: batch,
              step: batch * BATCH + j,
            }));
            try {
              await post(server.url, "/runs/log-batch", { run_id: runId, metrics });
              if (!killed) acknowledged.push(batch);
            } catch {
              return; // the server died under this request: unacknowledged
            }
          }
        };
        const writers = [0, 1, 2, 3].map(writer);
        while (acknowledged.length < 150) await new Promise((r) => setTimeout(r, 5));
        await server.kill("SIGKILL");
        const ackedAtKill = new Set(acknowledged);
        killed = true;
        await Promise.all(writers);

        const platform = await openAfter(home, metadataUrl);
        try {
          const rows = await platform.metadata.db
            .selectFrom("metrics")
            .select(["timestamp", (eb) => eb.fn.countAll<number>().as("n")])
            .where("run_id", "=", runId)
            .groupBy("timestamp")
            .execute();
          const stored = new Map(rows.map((r) => [Number(r.timestamp), Number(r.n)]));
          for (const batch of ackedAtKill)
            assert.equal(stored.get(batch), BATCH, `acknowledged batch ${batch} is incomplete`);
          for (const [batch, n] of stored)
            assert.equal(n, BATCH, `batch ${batch} is half-written (${n} rows)`);
          if (platform.metadata.dialect === "sqlite") {
            const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(
              platform.metadata.db,
            );
            assert.equal(check.rows[0]?.integrity_check, "ok");
          }
          // The store is usable after the crash.
          await platform.tracking.runs.logBatch(runId, {
            metrics: [{ key: "after", value: 1, timestamp: 1, step: 0 }],
          });
        } finally {
          await platform.close();
        }
      } finally {
        await dropSchema(home, metadataUrl);
        rmSync(home, { recursive: true, force: true });
      }
    });

    test("16 concurrent clients each logging 10,000 metrics lose none", async () => {
      const home = mkdtempSync(join(tmpdir(), "plinth-conc-"));
      const metadataUrl = backend.metadataUrl();
      const env = metadataUrl ? { PLINTH_METADATA_URL: metadataUrl } : {};
      const server = await spawnServer(home, env);
      try {
        const runIds = await Promise.all(
          Array.from({ length: 16 }, (_, c) => createRun(server.url, `client-${c}`)),
        );
        await Promise.all(
          runIds.map(async (runId, c) => {
            for (let b = 0; b < 20; b++) {
              const metrics = Array.from({ length: 500 }, (_, j) => ({
                key: `c${c}`,
                value: j,
                timestamp: b,
                step: b * 500 + j,
              }));
              await post(server.url, "/runs/log-batch", { run_id: runId, metrics });
            }
          }),
        );
        for (const [c, runId] of runIds.entries()) {
          const response = await fetch(
            `${server.url}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=c${c}`,
          );
          const body = (await response.json()) as { metrics: Array<{ step: number }> };
          assert.equal(body.metrics.length, 10_000, `client ${c}`);
          assert.deepEqual(
            body.metrics.map((m) => m.step),
            Array.from({ length: 10_000 }, (_, i) => i),
          );
        }
      } finally {
        await server.kill("SIGTERM");
        await dropSchema(home, metadataUrl);
        rmSync(home, { recursive: true, force: true });
      }
    });
  });
}
