import { isAbsolute, resolve } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { PlinthError } from "../../../core/errors.ts";
import type { FeatureView } from "../../definitions/feature-view.ts";
import type { DataSource } from "../../definitions/sources.ts";
import type { Field } from "../../definitions/value-type.ts";
import type { LatestRows, PullWindow, ViewRowBatch } from "../latest-rows.ts";
import { columnBatches } from "./column-batches.ts";
import { columnKind, duckType, fits } from "./duckdb-types.ts";
import { describeRelation, type Relation } from "./source-relation.ts";
import { quoteIdentifier } from "./sql-names.ts";

/** Created time of a row without one; equal to online-store.ts's NO_CREATED_TIME. */
const NO_CREATED_TIME = Number.MIN_SAFE_INTEGER;

/**
 * Pulls the latest row per entity of `view` whose event time is in the window, on a
 * private in-memory DuckDB database: rows with a null key or event time are left out, and
 * ties are broken exactly as the offline join breaks them — latest event time, then
 * latest created time (missing last), then the later source row. Keys and features are
 * cast to their declared types and checked as the offline join checks them.
 *
 * @example
 * const latest = await pullLatestRows(driverStats, { startMicros: null, endMicros }, ".");
 * for await (const batch of latest.batches(10_000)) write(batch);
 * await latest.close();
 */
export async function pullLatestRows(
  view: FeatureView,
  window: PullWindow,
  baseDir: string,
): Promise<LatestRows> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const source = view.source.kind === "pushSource" ? view.source.batchSource : view.source;
    const relation = await openUnhashed(connection, source, baseDir);
    // A push source's batch files appear with its first offline push: none yet is no rows.
    if (relation === undefined && view.source.kind === "pushSource") {
      connection.closeSync();
      instance.closeSync();
      return { numRows: 0, async *batches() {}, async close() {} };
    }
    if (relation === undefined) {
      throw new PlinthError(
        "FEATURES_SOURCE_NOT_FOUND",
        `Source '${source.name}': no file matches '${sourcePath(source, baseDir)}'`,
        { field: source.name },
      );
    }
    const where = `source '${source.name}' of feature view '${view.name}'`;
    const columns = await describeRelation(
      connection,
      relation,
      (message, cause) =>
        new PlinthError(
          source.format === "sql" ? "FEATURES_SOURCE_NOT_FOUND" : "FEATURES_SOURCE_SCHEMA",
          `Cannot read the ${where}: ${message}`,
          { field: source.name, cause },
        ),
    );
    const typeOf = (name: string, role: string): string => {
      const type = columns.get(name);
      if (type !== undefined) return type;
      throw new PlinthError(
        role === "timestamp" ? "FEATURES_MISSING_TIMESTAMP" : "FEATURES_SOURCE_SCHEMA",
        `The ${where} has no ${role} column '${name}'; its columns are ${[...columns.keys()].map((c) => `'${c}'`).join(", ")}`,
        { field: name },
      );
    };
    const keys = view.entities.flatMap((e) => e.joinKeys);
    const select: string[] = [];
    for (const key of keys) {
      const type = typeOf(key.name, "join key");
      const kind = columnKind(type);
      if (kind === undefined || !fits(key.type, kind.type, true)) {
        throw new PlinthError(
          "FEATURES_KEY_TYPE_MISMATCH",
          `Join key '${key.name}' of the ${where} has type ${type}; its entity declares ${key.type}`,
          { field: key.name },
        );
      }
      select.push(
        `CAST(${quoteIdentifier(key.name)} AS ${duckType(key.type, false)}) AS ${quoteIdentifier(key.name)}`,
      );
    }
    const eventField = quoteIdentifier(source.timestampField);
    const zoned = timestampKind(
      typeOf(source.timestampField, "timestamp"),
      source.timestampField,
      where,
    );
    const micros = (column: string): string =>
      `CAST(epoch_us(CAST(${column} AS ${duckType("timestamp", zoned)})) AS DOUBLE)`;
    select.push(`${micros(eventField)} AS __event_us`);
    if (source.createdTimestampField === undefined) select.push("__event_us AS __created_us");
    else {
      timestampKind(
        typeOf(source.createdTimestampField, "timestamp"),
        source.createdTimestampField,
        where,
      );
      select.push(`${micros(quoteIdentifier(source.createdTimestampField))} AS __created_us`);
    }
    for (const f of view.schema) {
      const type = typeOf(f.name, "feature");
      const kind = columnKind(type);
      if (kind === undefined || !fits(f.type, kind.type, false)) {
        throw new PlinthError(
          "FEATURES_SOURCE_SCHEMA",
          `Feature '${f.name}' of the ${where} has type ${type}; the view declares ${f.type}`,
          { field: f.name },
        );
      }
      select.push(
        `CAST(${quoteIdentifier(f.name)} AS ${duckType(f.type, zoned)}) AS ${quoteIdentifier(f.name)}`,
      );
    }
    // Compared as timestamps (not as epoch numbers) so Parquet row groups can be skipped.
    const bound = (us: number): string =>
      `make_timestamp(${Math.trunc(us)}::BIGINT)${zoned ? "::TIMESTAMPTZ" : ""}`;
    const filters = [
      `${eventField} IS NOT NULL`,
      ...keys.map((k) => `${quoteIdentifier(k.name)} IS NOT NULL`),
      `${eventField} <= ${bound(window.endMicros)}`,
      ...(window.startMicros === null ? [] : [`${eventField} >= ${bound(window.startMicros)}`]),
    ];
    try {
      await connection.run(
        `CREATE TABLE window_rows AS SELECT ${select.join(", ")} FROM ${relation.from} WHERE ${filters.join(" AND ")}`,
        relation.params,
      );
    } catch (cause) {
      throw new PlinthError(
        "FEATURES_SOURCE_SCHEMA",
        `Reading the ${where} failed: ${(cause as Error).message.split("\n")[0]}`,
        { field: source.name, cause },
      );
    }
    // rowid of the freshly filled table is the source order, the last tie-breaker offline too.
    await connection.run(`CREATE TABLE latest AS SELECT * FROM window_rows
QUALIFY row_number() OVER (
  PARTITION BY ${keys.map((k) => quoteIdentifier(k.name)).join(", ")}
  ORDER BY __event_us DESC, __created_us DESC NULLS LAST, rowid DESC) = 1`);
    await connection.run("DROP TABLE window_rows");
    const count = await connection.runAndReadAll("SELECT count(*) FROM latest");
    const fields: Field[] = [
      ...keys,
      { name: "__event_us", type: "float64" },
      { name: "__created_us", type: "float64" },
      ...view.schema,
    ];
    const sql = `SELECT ${fields.map((f) => quoteIdentifier(f.name)).join(", ")} FROM latest`;
    let closed = false;
    return {
      numRows: Number(count.getRowsJS()[0]?.[0] ?? 0),
      async *batches(batchSize: number): AsyncIterable<ViewRowBatch> {
        for await (const batch of columnBatches(connection, sql, fields, batchSize)) {
          const { __event_us: event, __created_us: created, ...rest } = batch.columns;
          const createdMicros = created as Float64Array;
          for (let i = 0; i < createdMicros.length; i++) {
            if (Number.isNaN(createdMicros[i])) createdMicros[i] = NO_CREATED_TIME;
          }
          yield {
            numRows: batch.numRows,
            columns: rest,
            eventMicros: event as Float64Array,
            createdMicros,
          };
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        connection.closeSync();
        instance.closeSync();
      },
    };
  } catch (e) {
    connection.closeSync();
    instance.closeSync();
    throw e;
  }
}

function timestampKind(type: string, field: string, where: string): boolean {
  const kind = columnKind(type);
  if (kind?.type !== "timestamp") {
    throw new PlinthError(
      "FEATURES_TIMESTAMP_MISMATCH",
      `Column '${field}' of the ${where} has type ${type}, not a timestamp`,
      { field },
    );
  }
  return kind.zoned;
}

/**
 * The source as a relation without hashing its files (materialization records no
 * lineage, and hashing a large source would double the time it takes); undefined when
 * no file matches the source's path.
 */
async function openUnhashed(
  connection: DuckDBConnection,
  source: DataSource,
  baseDir: string,
): Promise<Relation | undefined> {
  if (source.format === "sql") {
    return { from: `(${source.query})`, params: {}, files: [], sha256: Promise.resolve("") };
  }
  const path = sourcePath(source, baseDir);
  const listed = await connection.runAndReadAll("SELECT count(*) FROM glob($path)", { path });
  if (Number(listed.getRowsJS()[0]?.[0] ?? 0) === 0) return undefined;
  const reader = source.format === "parquet" ? "read_parquet" : "read_csv";
  return { from: `${reader}($path)`, params: { path }, files: [], sha256: Promise.resolve("") };
}

function sourcePath(source: DataSource, baseDir: string): string {
  if (source.format === "sql") return "(query)";
  return isAbsolute(source.path) ? source.path : resolve(baseDir, source.path);
}
