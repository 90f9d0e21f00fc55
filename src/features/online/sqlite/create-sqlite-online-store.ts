import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { PlinthError } from "../../../core/errors.ts";
import type { OnlineRecord, OnlineStore, OnlineValue, StoredRecord } from "../online-store.ts";

/** How much of the file reads may map into memory (address space, not resident memory). */
const MMAP_BYTES = 1024 * 1024 * 1024;

/** Where the embedded online store keeps its file. */
export interface SqliteOnlineStoreConfig {
  /** A file path (created with its directory when missing), or ":memory:". */
  readonly path: string;
}

// A rowid table, not WITHOUT ROWID: rows carry a JSON payload of hundreds of bytes, and
// keeping those out of the key's B-tree made upserts 5x faster and lookups faster too.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS online_features (
  view TEXT NOT NULL,
  entity_key TEXT NOT NULL,
  event_us INTEGER NOT NULL,
  created_us INTEGER NOT NULL,
  expires_at_ms INTEGER,
  payload TEXT NOT NULL,
  PRIMARY KEY (view, entity_key)
);
CREATE INDEX IF NOT EXISTS online_features_expiry
  ON online_features (expires_at_ms) WHERE expires_at_ms IS NOT NULL;`;

// The WHERE on the upsert is the whole "never move back in time" rule, evaluated by SQLite
// under its write lock, so two processes writing one entity cannot interleave around it.
const UPSERT = `
INSERT INTO online_features (view, entity_key, event_us, created_us, expires_at_ms, payload)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (view, entity_key) DO UPDATE SET
  event_us = excluded.event_us, created_us = excluded.created_us,
  expires_at_ms = excluded.expires_at_ms, payload = excluded.payload
WHERE excluded.event_us > online_features.event_us
   OR (excluded.event_us = online_features.event_us
       AND excluded.created_us >= online_features.created_us)`;

const SELECT = `SELECT event_us, created_us, payload FROM online_features
WHERE view = ? AND entity_key = ? AND (expires_at_ms IS NULL OR expires_at_ms > ?)`;

/**
 * The embedded online store: one SQLite file in WAL mode (readers never wait for the
 * writer), one row per (view, entity) holding the values as a JSON object, and prepared
 * statements reused for every call. Reads run synchronously inside the promise, so a
 * lookup costs a few microseconds plus JSON parsing.
 *
 * @example
 * const online = createSqliteOnlineStore({ path: ".plinth/online.sqlite" });
 * await online.write("driver_stats", [record]);
 */
export function createSqliteOnlineStore(config: SqliteOnlineStoreConfig): OnlineStore {
  const path = config.path === ":memory:" ? config.path : resolve(config.path);
  let db: Database.Database;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 10000");
    // Lookups are random over the whole file: map it, and keep more pages than SQLite's
    // 2 MiB default, so a read costs no system call once the file is in the page cache.
    db.pragma(`mmap_size = ${MMAP_BYTES}`);
    db.pragma("cache_size = -65536");
    db.exec(SCHEMA);
  } catch (cause) {
    throw unavailable(`Cannot open the SQLite online store at ${path}`, cause);
  }
  const upsert = db.prepare(UPSERT);
  const select = db.prepare<[string, string, number], [number, number, string]>(SELECT).raw(true);
  const remove = db.prepare("DELETE FROM online_features WHERE view = ? AND entity_key = ?");
  const removeView = db.prepare("DELETE FROM online_features WHERE view = ?");
  const removeExpired = db.prepare("DELETE FROM online_features WHERE expires_at_ms <= ?");
  // IMMEDIATE takes the write lock at BEGIN, so a busy writer is waited for (busy_timeout)
  // instead of failing when a read transaction would have to upgrade.
  const writeBatch = db.transaction((view: string, records: readonly OnlineRecord[]) => {
    let changed = 0;
    for (const r of records) {
      changed += upsert.run(
        view,
        r.entityKey,
        r.eventMicros,
        r.createdMicros,
        r.expiresAtMs,
        JSON.stringify(r.values),
      ).changes;
    }
    return changed;
  });
  const deleteBatch = db.transaction((view: string, keys: readonly string[]) => {
    let deleted = 0;
    for (const key of keys) deleted += remove.run(view, key).changes;
    return deleted;
  });
  const guarded = <T>(what: string, work: () => T): T => {
    try {
      return work();
    } catch (cause) {
      throw unavailable(`${what} the SQLite online store at ${path} failed`, cause);
    }
  };
  return {
    location: `sqlite:${path}`,
    async write(view, records) {
      if (records.length === 0) return 0;
      return guarded("Writing to", () => writeBatch.immediate(view, records));
    },
    async read(requests) {
      const now = Date.now();
      return guarded("Reading from", () =>
        requests.map(({ view, entityKeys }) =>
          entityKeys.map((key): StoredRecord | undefined => {
            const row = select.get(view, key, now);
            if (row === undefined) return undefined;
            return {
              eventMicros: row[0],
              createdMicros: row[1],
              values: JSON.parse(row[2]) as Record<string, OnlineValue>,
            };
          }),
        ),
      );
    },
    async delete(view, entityKeys) {
      return guarded("Deleting from", () => deleteBatch.immediate(view, entityKeys));
    },
    async dropView(view) {
      return guarded("Deleting from", () => removeView.run(view).changes);
    },
    async purgeExpired() {
      return guarded("Purging", () => removeExpired.run(Date.now()).changes);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

function unavailable(message: string, cause: unknown): PlinthError {
  return new PlinthError(
    "FEATURES_ONLINE_STORE_UNAVAILABLE",
    `${message}: ${(cause as Error).message}`,
    { field: "online", cause },
  );
}
