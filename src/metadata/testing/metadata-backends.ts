import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import type { MetadataStore } from "../metadata-store.ts";
import { createPostgresMetadataStore } from "../postgres/create-postgres-metadata-store.ts";
import { createSqliteMetadataStore } from "../sqlite/create-sqlite-metadata-store.ts";

/** A fresh, empty store of one backend, and how to throw it away. */
export interface TestBackend {
  name: "sqlite" | "postgres";
  open(): Promise<{ store: MetadataStore; cleanup(): Promise<void> }>;
}

/** The PostgreSQL URL tests use, when set (`.ci/run` points it at the local server). */
export const TEST_POSTGRES_URL = process.env.PLINTH_TEST_POSTGRES_URL;

/**
 * Every metadata backend this machine can run: SQLite always, PostgreSQL when
 * PLINTH_TEST_POSTGRES_URL is set. Each `open` gets its own SQLite file or PostgreSQL
 * schema, so test files can run in parallel.
 */
export function metadataBackends(): TestBackend[] {
  const backends: TestBackend[] = [
    {
      name: "sqlite",
      async open() {
        const dir = mkdtempSync(join(tmpdir(), "plinth-meta-"));
        const store = await createSqliteMetadataStore({ path: join(dir, "metadata.sqlite") });
        return {
          store,
          async cleanup() {
            await store.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
  ];
  const url = TEST_POSTGRES_URL;
  if (url !== undefined && url !== "") {
    backends.push({
      name: "postgres",
      async open() {
        const schema = `plinth_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
        const store = await createPostgresMetadataStore({ url, schema, poolSize: 4 });
        return {
          store,
          async cleanup() {
            await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
            await store.close();
          },
        };
      },
    });
  }
  return backends;
}
