import type { DuckDBConnection } from "@duckdb/node-api";
import { PlinthError } from "../../../core/errors.ts";
import type { PlannedView } from "../retrieval-plan.ts";
import { columnKind, duckType, fits } from "./duckdb-types.ts";
import { describeRelation, openSource, type Relation } from "./source-relation.ts";
import { quoteIdentifier, sqlString } from "./sql-names.ts";

/** A view's rows as the join reads them, and where they came from. */
export interface LoadedViewRows {
  readonly relation: Relation;
  /** Columns ordering exact ties (same keys, event and created time) by source order. */
  readonly sourceOrder: readonly string[];
  /** Whether `table` was made a view or a table (to drop it). */
  readonly kind: "VIEW" | "TABLE";
  /** How messages name the source: "source 's' of feature view 'v'". */
  readonly where: string;
}

/**
 * Checks a view's source against its definition and exposes the columns the join needs as
 * `table`: keys and features cast to their declared types, `__event_ts` and `__created_ts`
 * (the event time when the source has no created field), and the source order, which
 * breaks exact ties. Parquet becomes a view over exactly the files hashed for lineage,
 * ordered by file name and row number, so DuckDB reads it in parallel inside the join with
 * no copy; CSV and SQL are copied once into a table, whose row order is the source order.
 */
export async function loadViewRows(
  connection: DuckDBConnection,
  planned: PlannedView,
  table: string,
  baseDir: string,
  entityZoned: boolean,
  entityTimestamp: string,
): Promise<LoadedViewRows> {
  const view = planned.view;
  const source = view.source.kind === "pushSource" ? view.source.batchSource : view.source;
  const relation = await openSource(connection, source, baseDir);
  const columns = await describeRelation(connection, relation, (message, cause) =>
    source.format === "sql"
      ? new PlinthError(
          "FEATURES_SOURCE_NOT_FOUND",
          `Source '${source.name}': its query fails: ${message}`,
          {
            field: source.name,
            cause,
          },
        )
      : new PlinthError(
          "FEATURES_SOURCE_SCHEMA",
          `Source '${source.name}': cannot read '${source.path}' as ${source.format}: ${message}`,
          { field: source.name, cause },
        ),
  );
  const where = `source '${source.name}' of feature view '${view.name}'`;
  const lookup = (name: string, role: string): string => {
    const type = columns.get(name);
    if (type === undefined) {
      throw new PlinthError(
        role === "timestamp" ? "FEATURES_MISSING_TIMESTAMP" : "FEATURES_SOURCE_SCHEMA",
        `The ${where} has no ${role} column '${name}'; its columns are ${[...columns.keys()].map((c) => `'${c}'`).join(", ")}`,
        { field: name },
      );
    }
    return type;
  };
  const select: string[] = [];
  for (const e of view.entities) {
    for (const key of e.joinKeys) {
      const type = lookup(key.name, "join key");
      const kind = columnKind(type);
      if (kind === undefined || !fits(key.type, kind.type, true)) {
        throw new PlinthError(
          "FEATURES_KEY_TYPE_MISMATCH",
          `Join key '${key.name}' of the ${where} has type ${type}; entity '${e.name}' declares ${key.type}`,
          { field: key.name },
        );
      }
      select.push(
        `CAST(${quoteIdentifier(key.name)} AS ${duckType(key.type, false)}) AS ${quoteIdentifier(key.name)}`,
      );
    }
  }
  const tsType = duckType("timestamp", entityZoned);
  const timestamps: [string, string | undefined][] = [
    ["__event_ts", source.timestampField],
    ["__created_ts", source.createdTimestampField],
  ];
  for (const [alias, field] of timestamps) {
    if (field === undefined) {
      select.push(`__event_ts AS ${alias}`);
      continue;
    }
    const type = lookup(field, "timestamp");
    const kind = columnKind(type);
    if (kind?.type !== "timestamp") {
      throw new PlinthError(
        "FEATURES_TIMESTAMP_MISMATCH",
        `Column '${field}' of the ${where} has type ${type}, not a timestamp`,
        {
          field,
        },
      );
    }
    if (kind.zoned !== entityZoned) {
      throw new PlinthError(
        "FEATURES_TIMESTAMP_MISMATCH",
        `Column '${field}' of the ${where} is a timestamp ${kind.zoned ? "with" : "without"} time zone but entity column '${entityTimestamp}' is ${entityZoned ? "with" : "without"}; make both the same`,
        { field },
      );
    }
    select.push(`CAST(${quoteIdentifier(field)} AS ${tsType}) AS ${alias}`);
  }
  for (const { field, column } of planned.features) {
    const type = lookup(field.name, "feature");
    const kind = columnKind(type);
    if (kind === undefined || !fits(field.type, kind.type, false)) {
      throw new PlinthError(
        "FEATURES_SOURCE_SCHEMA",
        `Feature '${field.name}' of the ${where} has type ${type}; the view declares ${field.type}`,
        { field: field.name },
      );
    }
    select.push(
      `CAST(${quoteIdentifier(field.name)} AS ${duckType(field.type, entityZoned)}) AS ${quoteIdentifier(column)}`,
    );
  }
  if (source.format === "parquet") {
    const multi = relation.files.length > 1;
    const order = multi ? ["__src_file", "file_row_number"] : ["file_row_number"];
    const reader = `read_parquet([${relation.files.map(sqlString).join(", ")}], file_row_number = true${multi ? ", filename = '__src_file'" : ""})`;
    // Lateral alias reuse: __created_ts may read __event_ts defined earlier in the same list.
    await connection.run(
      `CREATE VIEW ${quoteIdentifier(table)} AS SELECT ${[...select, ...order].join(", ")} FROM ${reader}`,
    );
    return { relation, sourceOrder: order, kind: "VIEW", where };
  }
  try {
    await connection.run(
      `CREATE TABLE ${quoteIdentifier(table)} AS SELECT ${select.join(", ")} FROM ${relation.from}`,
      relation.params,
    );
  } catch (cause) {
    // A value that does not cast (text in a number column of a CSV, say) surfaces only here.
    throw readFailed(where, source.name, cause);
  }
  // rowid of a table filled in one statement is the source order.
  return { relation, sourceOrder: ["rowid"], kind: "TABLE", where };
}

/** The error for a source whose rows cannot be read or cast. */
export function readFailed(where: string, sourceName: string, cause: unknown): PlinthError {
  return new PlinthError(
    "FEATURES_SOURCE_SCHEMA",
    `Reading the ${where} failed: ${(cause as Error).message.split("\n")[0]}`,
    { field: sourceName, cause },
  );
}
