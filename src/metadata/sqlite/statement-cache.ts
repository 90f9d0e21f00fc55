import type { SqliteDatabase, SqliteStatement } from "kysely";

/**
 * A database whose `prepare` reuses the statements it prepared for the most recent SQL
 * texts. Kysely prepares every query it runs; queries are compiled with placeholders, so
 * the same few texts recur, and preparing a 1,000-row insert cost more than running it.
 *
 * Safe to share one statement between calls because Kysely's SQLite driver runs one query
 * at a time on its single connection, and finishes (or abandons) an iteration before the
 * next query starts.
 *
 * @example
 * new SqliteDialect({ database: createStatementCachingDatabase(new Database(path), 100) });
 */
export function createStatementCachingDatabase(
  database: SqliteDatabase,
  capacity: number,
): SqliteDatabase {
  // A Map iterates in insertion order: re-inserting on each hit keeps the oldest first.
  const statements = new Map<string, SqliteStatement>();
  return {
    prepare(sqlText) {
      let statement = statements.get(sqlText);
      if (statement !== undefined) {
        statements.delete(sqlText);
      } else {
        statement = database.prepare(sqlText);
        if (statements.size >= capacity) {
          statements.delete(statements.keys().next().value as string);
        }
      }
      statements.set(sqlText, statement);
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
