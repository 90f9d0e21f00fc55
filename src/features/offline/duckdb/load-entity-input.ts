import type { DuckDBConnection } from "@duckdb/node-api";
import { PlinthError } from "../../../core/errors.ts";
import { hashJson } from "../../../core/hash.ts";
import { isIdentifier } from "../../definitions/assert-identifier.ts";
import type { ValueType } from "../../definitions/value-type.ts";
import type { EntityInput } from "../entity-input.ts";
import { type ColumnKind, columnKind, duckType, fits } from "./duckdb-types.ts";
import { describeRelation, openRelation } from "./source-relation.ts";
import { quoteIdentifier, sqlString } from "./sql-names.ts";
import { stageEntityRows } from "./stage-entity-rows.ts";

/** What the entity input turned into: view `entity_rows` (`__row_id` = input order) and its columns. */
export interface LoadedEntityInput {
  readonly kind: "rows" | "parquet" | "csv" | "sql";
  /** Resolves once the input's bytes are hashed (see Relation.sha256). */
  readonly sha256: Promise<string>;
  /** Every input column in order, with its kind after casting. */
  readonly columns: readonly { readonly name: string; readonly kind: ColumnKind }[];
  /** Whether the timestamp column is TIMESTAMPTZ. */
  readonly zoned: boolean;
}

/** Columns the retrieval needs from the entity input, with their declared types. */
export interface EntityRequirements {
  readonly timestampColumn: string;
  readonly keys: ReadonlyMap<string, ValueType>;
  readonly request: ReadonlyMap<string, ValueType>;
}

/**
 * Exposes the entity input as view `entity_rows`, checks it has the timestamp, join
 * keys and request fields with the declared types, and hashes it for lineage. `__row_id`
 * is the input order: a single Parquet file's row numbers (read in place, no copy), or
 * else the rowid of the one copy made (DuckDB keeps insertion order).
 */
export async function loadEntityInput(
  connection: DuckDBConnection,
  input: EntityInput,
  needs: EntityRequirements,
): Promise<LoadedEntityInput> {
  let kind: LoadedEntityInput["kind"];
  let sha256: Promise<string>;
  let textTimestampZoned: boolean | undefined;
  let singleFile: string | undefined;
  if (Array.isArray(input)) {
    kind = "rows";
    const rows = input as readonly Readonly<Record<string, unknown>>[];
    for (const [i, row] of rows.entries()) {
      if (row === null || typeof row !== "object" || Array.isArray(row)) {
        throw invalid(
          "entities",
          `Entity row ${i} is ${describeValue(row)}; every row must be an object`,
        );
      }
    }
    sha256 = Promise.resolve(hashJson(rows.map(canonicalRow)));
    textTimestampZoned = await stageEntityRows(connection, rows, needs);
  } else {
    if (input === null || typeof input !== "object") {
      throw invalid("entities", "Entity input must be an array of rows, {parquet}, {csv} or {sql}");
    }
    const spec = input as Record<string, unknown>;
    const format = (["parquet", "csv", "sql"] as const).find((f) => typeof spec[f] === "string");
    if (format === undefined) {
      throw invalid("entities", "Entity input must be an array of rows, {parquet}, {csv} or {sql}");
    }
    kind = format;
    const value = spec[format] as string;
    const relation = await openRelation(
      connection,
      format === "sql" ? { format, query: value } : { format, path: value },
      // The entity file is the caller's, so a relative path means the caller's directory.
      process.cwd(),
      (path) => invalid("entities", `No entity file matches '${path}'`),
    );
    sha256 = relation.sha256;
    if (relation.files.length === 1) singleFile = relation.files[0];
    await describeRelation(connection, relation, (message, cause) =>
      invalid(
        "entities",
        `Cannot read the entity ${format === "sql" ? "query" : `file '${value}'`}: ${message}`,
        cause,
      ),
    );
    // A view: the one copy of the rows is entity_data below, with the casts applied.
    const literal = format === "sql" ? relation.from : fileList(format, relation.files);
    await connection.run(`CREATE VIEW entity_input AS SELECT * FROM ${literal}`);
  }
  const described = await connection.runAndReadAll(
    "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM entity_input)",
  );
  const columns: { name: string; kind: ColumnKind }[] = [];
  const casts: string[] = [];
  let zoned = false;
  let sawTimestamp = false;
  for (const [n, t] of described.getRowsJS()) {
    const name = String(n);
    const type = String(t);
    if (!isIdentifier(name) || name.startsWith("__")) {
      throw invalid(
        name,
        `Entity column ${JSON.stringify(name)} is not an identifier (or starts with __); rename it`,
      );
    }
    let kind = columnKind(type);
    if (name === needs.timestampColumn) {
      sawTimestamp = true;
      if (textTimestampZoned !== undefined && type === "VARCHAR")
        kind = { type: "timestamp", zoned: textTimestampZoned };
      if (kind?.type !== "timestamp") {
        throw new PlinthError(
          "FEATURES_TIMESTAMP_MISMATCH",
          `Entity timestamp column '${name}' has type ${type}, not a timestamp`,
          { field: name },
        );
      }
      zoned = kind.zoned;
    }
    const keyType = needs.keys.get(name);
    if (keyType !== undefined && (kind === undefined || !fits(keyType, kind.type, true))) {
      throw new PlinthError(
        "FEATURES_KEY_TYPE_MISMATCH",
        `Join key '${name}' of the entity input has type ${type}; its entity declares ${keyType}`,
        { field: name },
      );
    }
    const requestType = needs.request.get(name);
    if (requestType !== undefined && (kind === undefined || !fits(requestType, kind.type, false))) {
      throw invalid(
        name,
        `Request field '${name}' of the entity input has type ${type}; it is declared ${requestType}`,
      );
    }
    if (kind === undefined) {
      throw invalid(
        name,
        `Entity column '${name}' has type ${type}, which plinth cannot carry; cast it in the input`,
      );
    }
    const target = keyType ?? requestType ?? kind.type;
    const finalKind = { type: target, zoned: kind.zoned };
    columns.push({ name, kind: finalKind });
    casts.push(
      `CAST(${quoteIdentifier(name)} AS ${duckType(target, kind.zoned)}) AS ${quoteIdentifier(name)}`,
    );
  }
  if (!sawTimestamp) {
    throw new PlinthError(
      "FEATURES_MISSING_TIMESTAMP",
      `The entity input has no timestamp column '${needs.timestampColumn}' (set timestampColumn to use another); its columns are ${columns.map((c) => `'${c.name}'`).join(", ")}`,
      { field: needs.timestampColumn },
    );
  }
  for (const [name] of [...needs.keys, ...needs.request]) {
    if (!columns.some((c) => c.name === name)) {
      const role = needs.keys.has(name) ? "join key" : "request field";
      throw invalid(name, `The entity input has no ${role} column '${name}'`);
    }
  }
  if (kind === "parquet" && singleFile !== undefined) {
    // One Parquet file is read straight into the join (once), in file order: no copy.
    await connection.run(
      `CREATE VIEW entity_rows AS SELECT file_row_number AS __row_id, ${casts.join(", ")} FROM read_parquet([${sqlString(singleFile)}], file_row_number = true)`,
    );
  } else {
    try {
      await connection.run(
        `CREATE TABLE entity_data AS SELECT ${casts.join(", ")} FROM entity_input`,
      );
    } catch (cause) {
      const message = (cause as Error).message.split("\n")[0];
      throw kind === "rows"
        ? new PlinthError(
            "FEATURES_TIMESTAMP_MISMATCH",
            `Entity timestamp column '${needs.timestampColumn}' has a value DuckDB cannot read as a timestamp: ${message}`,
            { field: needs.timestampColumn, cause },
          )
        : invalid(
            "entities",
            `Cannot read the entity ${kind === "sql" ? "query" : "file"}: ${message}`,
            cause,
          );
    }
    // rowid of a table filled in one statement is the input order (DuckDB keeps insertion order).
    await connection.run("CREATE VIEW entity_rows AS SELECT rowid AS __row_id, * FROM entity_data");
  }
  await connection.run(kind === "rows" ? "DROP TABLE entity_input" : "DROP VIEW entity_input");
  return { kind, sha256, columns, zoned };
}

/** JSON-safe form of a row for hashing: Dates and bigints tagged so they cannot collide with strings. */
function canonicalRow(row: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] =
      v instanceof Date
        ? { $date: v.toISOString() }
        : typeof v === "bigint"
          ? { $bigint: v.toString() }
          : v;
  }
  return out;
}

/** A reader over exactly the files listed (and hashed), so a file added since is not read. */
export function fileList(format: "parquet" | "csv", files: readonly string[]): string {
  const reader = format === "parquet" ? "read_parquet" : "read_csv";
  return `${reader}([${files.map(sqlString).join(", ")}])`;
}

function describeValue(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : `a ${typeof v}`;
}

function invalid(field: string, message: string, cause?: unknown): PlinthError {
  return new PlinthError("FEATURES_INVALID_ENTITY_INPUT", message, { field, cause });
}
