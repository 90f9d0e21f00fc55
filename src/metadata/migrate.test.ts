import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import { type Dialect, Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import type { MetadataDialect, MetadataStore } from "./metadata-store.ts";
import * as initial from "./migrations/001-initial.ts";
import { createPostgresMetadataStore } from "./postgres/create-postgres-metadata-store.ts";
import { createSqliteMetadataStore } from "./sqlite/create-sqlite-metadata-store.ts";
import { TEST_POSTGRES_URL } from "./testing/metadata-backends.ts";

/** A database as plinth 0.1 left it: only 001 applied. */
async function atInitialSchema(dialect: Dialect, name: MetadataDialect, schema?: string) {
  // biome-ignore lint/suspicious/noExplicitAny: the schema of an older release
  const db = new Kysely<any>({ dialect });
  const migrator = new Migrator({
    db,
    provider: {
      getMigrations: async () => ({ "001-initial": { up: (t) => initial.up(t, name) } }),
    },
    migrationTableName: "plinth_migrations",
    migrationLockTableName: "plinth_migrations_lock",
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
  return db;
}

const METRIC = { key: "auc", step: 3, timestamp: 1_700_000_000_123, value: 1 / 3, is_nan: 0 };

interface Case {
  name: MetadataDialect;
  /** An empty 001 database, and how to open it as a current store. */
  setUp(): Promise<{
    // biome-ignore lint/suspicious/noExplicitAny: the schema of an older release
    old: Kysely<any>;
    open(): Promise<MetadataStore>;
    cleanup(): Promise<void>;
  }>;
}

const cases: Case[] = [
  {
    name: "sqlite",
    async setUp() {
      const dir = mkdtempSync(join(tmpdir(), "plinth-migrate-"));
      const path = join(dir, "metadata.sqlite");
      const old = await atInitialSchema(
        new SqliteDialect({ database: new Database(path) }),
        "sqlite",
      );
      return {
        old,
        open: () => createSqliteMetadataStore({ path }),
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
];
if (TEST_POSTGRES_URL !== undefined && TEST_POSTGRES_URL !== "") {
  const url = TEST_POSTGRES_URL;
  cases.push({
    name: "postgres",
    async setUp() {
      const schema = `plinth_migrate_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      const admin = async (statement: string) => {
        const pool = new pg.Pool({ connectionString: url, max: 1 });
        await pool.query(statement);
        await pool.end();
      };
      const cleanup = () => admin(`drop schema if exists ${schema} cascade`);
      await admin(`create schema ${schema}`);
      try {
        const old = await atInitialSchema(
          new PostgresDialect({
            pool: new pg.Pool({
              connectionString: url,
              max: 2,
              options: `-c search_path=${schema}`,
            }),
          }),
          "postgres",
          schema,
        );
        return {
          old,
          open: () => createPostgresMetadataStore({ url, schema, statisticsIntervalMs: 0 }),
          cleanup,
        };
      } catch (error) {
        await cleanup();
        throw error;
      }
    },
  });
}

for (const c of cases) {
  describe(`migrations on ${c.name}`, () => {
    test("002 keeps every metric, param and tag logged under 001", async () => {
      const { old, open, cleanup } = await c.setUp();
      try {
        await old
          .insertInto("runs")
          .values({
            run_id: "a".repeat(32),
            experiment_id: 0,
            run_name: "old-run",
            user_id: "",
            status: "FINISHED",
            start_time: 1,
            end_time: 2,
            lifecycle_stage: "active",
            artifact_uri: "mlflow-artifacts:/0/a/artifacts",
            deleted_time: null,
          })
          .execute();
        const runId = "a".repeat(32);
        await old
          .insertInto("metrics")
          .values([
            { run_id: runId, ...METRIC },
            { run_id: runId, ...METRIC, step: 2 },
            { run_id: runId, ...METRIC, key: "nan", value: 0, is_nan: 1 },
          ])
          .execute();
        await old
          .insertInto("latest_metrics")
          .values([
            { run_id: runId, ...METRIC },
            { run_id: runId, ...METRIC, key: "nan", value: 0, is_nan: 1 },
          ])
          .execute();
        await old.insertInto("params").values({ run_id: runId, key: "lr", value: "0.1" }).execute();
        await old
          .insertInto("tags")
          .values({ run_id: runId, key: "team", value: "risk" })
          .execute();
        await old.destroy();

        const store = await open();
        try {
          const metrics = await store.db
            .selectFrom("metrics")
            .selectAll()
            .orderBy("key")
            .orderBy("step")
            .execute();
          assert.deepEqual(
            metrics.map((m) => [m.key, Number(m.step), Number(m.timestamp), m.value, m.is_nan]),
            [
              ["auc", 2, METRIC.timestamp, 1 / 3, 0],
              ["auc", 3, METRIC.timestamp, 1 / 3, 0],
              ["nan", 3, METRIC.timestamp, 0, 1],
            ],
          );
          const latest = await store.db.selectFrom("latest_metrics").selectAll().execute();
          assert.equal(latest.length, 2);
          // The primary key still makes a retried metric a no-op.
          await store.db
            .insertInto("metrics")
            .values({ run_id: runId, ...METRIC })
            .onConflict((oc) => oc.doNothing())
            .execute();
          const again = await store.db.selectFrom("metrics").select("key").execute();
          assert.equal(again.length, 3);
          for (const [table, key] of [
            ["params", "lr"],
            ["tags", "team"],
          ] as const) {
            const rows = await store.db
              .selectFrom(table)
              .select("run_id")
              .where("key", "=", key)
              .execute();
            assert.deepEqual(rows, [{ run_id: runId }]);
          }
          if (c.name === "sqlite") {
            const tables = await sql<{ name: string; sql: string }>`
              select name, sql from sqlite_master where name in ('metrics', 'latest_metrics')`.execute(
              store.db,
            );
            for (const t of tables.rows) assert.match(t.sql, /without rowid$/i, t.name);
          }
        } finally {
          await store.close();
        }
      } finally {
        await cleanup();
      }
    });
  });
}
