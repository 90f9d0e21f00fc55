import { randomBytes } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { PlinthError } from "../../core/errors.ts";
import type { PushSource } from "../definitions/push-source.ts";
import { appendValue } from "../offline/duckdb/apply-on-demand.ts";
import { duckType } from "../offline/duckdb/duckdb-types.ts";
import { quoteIdentifier, sqlString } from "../offline/duckdb/sql-names.ts";
import type { ViewRowBatch } from "../offline/latest-rows.ts";

/**
 * Appends pushed rows to a push source's batch source as one new Parquet file matching
 * its glob (`dir/*.parquet` gets `dir/push-<time>-<random>.parquet`). The file is written
 * under a name the glob does not match and renamed, so a reader sees all of it or none.
 * When files exist, the new one takes their columns and types (columns the push does not
 * carry are null), so the glob still reads as one table; otherwise timestamps are zoned.
 * Resolves to the path written.
 *
 * @example
 * await appendToBatchSource(liveTrips, batch, defs.baseDir);
 */
export async function appendToBatchSource(
  source: PushSource,
  batch: ViewRowBatch,
  baseDir: string,
): Promise<string> {
  const batchSource = source.batchSource;
  if (batchSource.format !== "parquet")
    throw new Error("unreachable: pushSource checks writeOffline");
  const glob = isAbsolute(batchSource.path) ? batchSource.path : resolve(baseDir, batchSource.path);
  const name = basename(glob).replace("*", `push-${Date.now()}-${randomBytes(4).toString("hex")}`);
  const target = join(dirname(glob), name);
  const temporary = join(dirname(glob), `.${name}.tmp`);
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const existing = await connection.runAndReadAll("SELECT count(*) FROM glob($glob)", { glob });
    let layout: { name: string; type: string }[] | undefined;
    if (Number(existing.getRowsJS()[0]?.[0] ?? 0) > 0) {
      const described = await connection.runAndReadAll(
        "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet($glob))",
        { glob },
      );
      layout = described.getRowsJS().map(([n, t]) => ({ name: String(n), type: String(t) }));
      for (const f of source.schema) {
        if (!layout.some((c) => c.name === f.name)) {
          throw new PlinthError(
            "FEATURES_SOURCE_SCHEMA",
            `Push source '${source.name}': its batch source files have no column '${f.name}', so pushed rows cannot be appended; add it to the files or drop writeOffline`,
            { field: f.name },
          );
        }
      }
    }
    const staged = source.schema
      .map((f) => `${quoteIdentifier(f.name)} ${duckType(f.type, true)}`)
      .join(", ");
    await connection.run(`CREATE TABLE pushed (${staged})`);
    const appender = await connection.createAppender("pushed");
    try {
      for (let r = 0; r < batch.numRows; r++) {
        for (const f of source.schema) appendValue(appender, f, batch.columns[f.name]!, r, true);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const select =
      layout === undefined
        ? "*"
        : layout
            .map((c) =>
              source.schema.some((f) => f.name === c.name)
                ? `CAST(${quoteIdentifier(c.name)} AS ${c.type}) AS ${quoteIdentifier(c.name)}`
                : `CAST(NULL AS ${c.type}) AS "${c.name.replaceAll('"', '""')}"`,
            )
            .join(", ");
    await mkdir(dirname(glob), { recursive: true });
    await connection.run(
      `COPY (SELECT ${select} FROM pushed) TO ${sqlString(temporary)} (FORMAT parquet)`,
    );
    await rename(temporary, target);
    return target;
  } catch (cause) {
    await rm(temporary, { force: true });
    if (cause instanceof PlinthError) throw cause;
    throw new PlinthError(
      "FEATURES_INVALID_PUSH",
      `Push source '${source.name}': appending to '${glob}' failed: ${(cause as Error).message.split("\n")[0]}`,
      { field: source.name, cause },
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
