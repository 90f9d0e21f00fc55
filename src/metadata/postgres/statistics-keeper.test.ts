import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { TEST_POSTGRES_URL } from "../testing/metadata-backends.ts";
import { createStatisticsKeeper } from "./statistics-keeper.ts";

const url = TEST_POSTGRES_URL;

/** Inserts through a connection of its own and closes it: a closing backend flushes its counters. */
async function insertRows(schema: string, count: number) {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  await pool.query(
    `insert into ${schema}.t (id, label) select g, 'row ' || g from generate_series((select coalesce(max(id), 0) + 1 from ${schema}.t), (select coalesce(max(id), 0) + $1 from ${schema}.t)) g`,
    [count],
  );
  await pool.end();
}

describe("statistics keeper on postgres", { skip: url === undefined || url === "" }, () => {
  test("analyzes a filled table that never was, vacuums after bulk inserts, and survives errors", async () => {
    const schema = `plinth_keeper_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    // biome-ignore lint/suspicious/noExplicitAny: a scratch table outside the metadata schema
    const db = new Kysely<any>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
    });
    const stats = async () =>
      (
        await sql<{ analyzed: boolean; vacuumed: boolean }>`select
            (last_analyze is not null) as analyzed, (last_vacuum is not null) as vacuumed
          from pg_stat_user_tables where schemaname = ${schema} and relname = 't'`.execute(db)
      ).rows[0];
    const waitFor = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 100 && !(await check()); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(await check());
    };
    try {
      await sql`create schema ${sql.id(schema)}`.execute(db);
      await sql`create table ${sql.id(schema, "t")} (id bigint primary key, label text)`.execute(
        db,
      );
      const keeper = createStatisticsKeeper(db, { schema, tables: ["t"], intervalMs: 0 });
      await keeper.analyzeMissing();
      assert.deepEqual(await stats(), { analyzed: false, vacuumed: false }); // empty: nothing to learn

      await insertRows(schema, 5000);
      await waitFor(async () => {
        await keeper.analyzeMissing();
        return (await stats())?.analyzed === true;
      });
      assert.equal((await stats())?.vacuumed, false);

      await insertRows(schema, 5000);
      await waitFor(async () => {
        await keeper.refresh();
        return (await stats())?.vacuumed === true;
      });

      await keeper.stop();

      // A failed check (here: the pool is gone) is not the caller's problem.
      // biome-ignore lint/suspicious/noExplicitAny: as above
      const closed = new Kysely<any>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
      });
      await closed.destroy();
      const orphan = createStatisticsKeeper(closed, { schema, tables: ["t"], intervalMs: 0 });
      await orphan.refresh();
      await orphan.analyzeMissing();
      await orphan.stop();
    } finally {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
      await db.destroy();
    }
  });
});
