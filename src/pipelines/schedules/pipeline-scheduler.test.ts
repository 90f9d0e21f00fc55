import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { sql } from "kysely";
import { rejectsWithCode } from "../../core/testing/rejects-with-code.ts";
import type { MetadataStore } from "../../metadata/metadata-store.ts";
import { createPostgresMetadataStore } from "../../metadata/postgres/create-postgres-metadata-store.ts";
import { createSqliteMetadataStore } from "../../metadata/sqlite/create-sqlite-metadata-store.ts";
import { TEST_POSTGRES_URL } from "../../metadata/testing/metadata-backends.ts";
import { createPipelineScheduler } from "./create-pipeline-scheduler.ts";
import { createMetadataScheduleStore } from "./metadata/create-metadata-schedule-store.ts";

/** Two independent connections to one fresh database, as two servers would have. */
interface SharedDatabase {
  name: string;
  open(): Promise<{ a: MetadataStore; b: MetadataStore; cleanup(): Promise<void> }>;
}

const databases: SharedDatabase[] = [
  {
    name: "sqlite",
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "plinth-schedules-"));
      const path = join(dir, "metadata.sqlite");
      const a = await createSqliteMetadataStore({ path });
      const b = await createSqliteMetadataStore({ path });
      return {
        a,
        b,
        async cleanup() {
          await a.close();
          await b.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];
if (TEST_POSTGRES_URL !== undefined && TEST_POSTGRES_URL !== "") {
  const url = TEST_POSTGRES_URL;
  databases.push({
    name: "postgres",
    async open() {
      const schema = `plinth_sched_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      const a = await createPostgresMetadataStore({ url, schema, poolSize: 2 });
      const b = await createPostgresMetadataStore({ url, schema, poolSize: 2 });
      return {
        a,
        b,
        async cleanup() {
          await b.close();
          await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(a.db);
          await a.close();
        },
      };
    },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const database of databases) {
  describe(`pipeline schedules on ${database.name}`, () => {
    test("bad cron expressions and zones are refused; unknown ids are not found", async () => {
      const { a, cleanup } = await database.open();
      try {
        const store = createMetadataScheduleStore(a);
        const add = (cron: string, timezone?: string) =>
          store.add({ pipelineName: "p", cron, ...(timezone === undefined ? {} : { timezone }) });
        await rejectsWithCode(add(""), "PIPELINES_INVALID_SCHEDULE", "cron");
        await rejectsWithCode(add("every day"), "PIPELINES_INVALID_SCHEDULE", "cron");
        await rejectsWithCode(add("61 * * * *"), "PIPELINES_INVALID_SCHEDULE", "cron");
        await rejectsWithCode(add("0 0 30 2 *"), "PIPELINES_INVALID_SCHEDULE", "cron");
        await rejectsWithCode(
          add("0 3 * * *", "Mars/Olympus"),
          "PIPELINES_INVALID_SCHEDULE",
          "timezone",
        );
        await rejectsWithCode(add("x".repeat(500)), "PIPELINES_INVALID_SCHEDULE", "cron");
        assert.deepEqual(await store.list(), []);
        await rejectsWithCode(store.remove("nope"), "PIPELINES_SCHEDULE_NOT_FOUND", "schedule_id");
        const ok = await add("0 9 * * 1-5", "Europe/Stockholm");
        assert.deepEqual(
          (await store.list()).map((s) => s.scheduleId),
          [ok.scheduleId],
        );
        assert.equal(await store.claim(ok.scheduleId, 1000, "x"), true);
        assert.equal(await store.claim(ok.scheduleId, 1000, "y"), false);
        await store.remove(ok.scheduleId);
        assert.deepEqual(await store.list(), []);
      } finally {
        await cleanup();
      }
    });

    test("two schedulers over one database fire each tick exactly once", async () => {
      const { a, b, cleanup } = await database.open();
      try {
        const storeA = createMetadataScheduleStore(a);
        const storeB = createMetadataScheduleStore(b);
        const fired: Array<{ schedule: string; fireTime: number; by: string }> = [];
        const every = await storeA.add({
          pipelineName: "p",
          cron: "* * * * * *",
          params: { n: 1 },
        });
        const start = (store: typeof storeA, claimant: string) =>
          createPipelineScheduler({
            schedules: store,
            claimant,
            pollMs: 100,
            fire: async (s, fireTime) => {
              fired.push({ schedule: s.scheduleId, fireTime, by: claimant });
              return `run-${claimant}-${fireTime}`;
            },
          });
        const one = start(storeA, "server-a");
        const two = start(storeB, "server-b");
        await sleep(1500);
        // Added through the other connection while both run: picked up at the next poll.
        const later = await storeB.add({ pipelineName: "q", cron: "*/2 * * * * *" });
        await sleep(3000);
        await storeA.remove(every.scheduleId);
        await sleep(400);
        const afterRemoval = fired.filter((f) => f.schedule === every.scheduleId).length;
        await sleep(1200);
        await Promise.all([one.stop(), two.stop()]);

        const ticks = fired.filter((f) => f.schedule === every.scheduleId);
        assert.equal(ticks.length, afterRemoval, "a removed schedule stops firing");
        assert.ok(ticks.length >= 3, `fired ${ticks.length} ticks`);
        const times = ticks.map((t) => t.fireTime);
        assert.equal(new Set(times).size, times.length, "no tick fired twice");
        assert.ok(
          times.every((t) => t % 1000 === 0),
          "ticks are whole seconds",
        );
        for (let i = 1; i < times.length; i++) {
          assert.ok((times[i] as number) > (times[i - 1] as number));
        }
        const laterTicks = fired.filter((f) => f.schedule === later.scheduleId);
        assert.ok(laterTicks.length >= 1, "the schedule added later fired");
        assert.ok(laterTicks.every((t) => t.fireTime % 2000 === 0));
        // Every claimed tick records the run its claimant started.
        const recorded = await storeA.fires(later.scheduleId);
        assert.equal(recorded.length, laterTicks.length);
        for (const f of recorded) assert.equal(f.runId, `run-${f.claimedBy}-${f.fireTime}`);
      } finally {
        await cleanup();
      }
    });

    test("a tick whose run cannot start records why", async () => {
      const { a, cleanup } = await database.open();
      try {
        const store = createMetadataScheduleStore(a);
        const s = await store.add({ pipelineName: "gone", cron: "* * * * * *" });
        const errors: unknown[] = [];
        const scheduler = createPipelineScheduler({
          schedules: store,
          pollMs: 100,
          fire: async () => {
            throw new Error("No pipeline is registered as 'gone'");
          },
          onError: (e) => errors.push(e),
        });
        await sleep(2300);
        await scheduler.stop();
        const [last] = await store.fires(s.scheduleId);
        assert.match(last?.error ?? "", /No pipeline is registered/);
        assert.equal(last?.runId, null);
        assert.ok(errors.length >= 1);
      } finally {
        await cleanup();
      }
    });
  });
}
