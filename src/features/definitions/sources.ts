import { PlinthError } from "../../core/errors.ts";
import { assertIdentifier } from "./assert-identifier.ts";

interface SourceCommon {
  readonly kind: "source";
  readonly name: string;
  /** The column holding each row's event time: when the value became true in the world. */
  readonly timestampField: string;
  /** Optional column holding when the row was written; breaks ties between equal event times. */
  readonly createdTimestampField: string | undefined;
  readonly description: string;
}

/** Rows in one Parquet file or a glob of them (read with DuckDB's `read_parquet`). */
export interface ParquetSource extends SourceCommon {
  readonly format: "parquet";
  readonly path: string;
}

/** Rows in one CSV file or a glob of them (read with DuckDB's `read_csv`, types inferred). */
export interface CsvSource extends SourceCommon {
  readonly format: "csv";
  readonly path: string;
}

/**
 * Rows from a DuckDB SQL query. The query is the user's own code, run as a subquery; it is
 * the one place plinth executes SQL it did not build, exactly as a feature repo runs its
 * own Python in Feast.
 */
export interface SqlSource extends SourceCommon {
  readonly format: "sql";
  readonly query: string;
}

/** Where a feature view's rows come from offline. */
export type DataSource = ParquetSource | CsvSource | SqlSource;

interface SourceSpec {
  name: string;
  timestampField: string;
  createdTimestampField?: string;
  description?: string;
}

/**
 * A Parquet source.
 *
 * @example
 * export const trips = parquetSource({
 *   name: "trips", path: "data/trips.parquet",
 *   timestampField: "event_ts", createdTimestampField: "created_ts",
 * });
 */
export function parquetSource(spec: SourceSpec & { path: string }): ParquetSource {
  return Object.freeze({
    ...common(spec),
    format: "parquet",
    path: nonEmpty(spec.path, spec.name, "path"),
  });
}

/**
 * A CSV source (header row required; DuckDB infers column types).
 *
 * @example
 * export const ratings = csvSource({ name: "ratings", path: "data/ratings.csv", timestampField: "ts" });
 */
export function csvSource(spec: SourceSpec & { path: string }): CsvSource {
  return Object.freeze({
    ...common(spec),
    format: "csv",
    path: nonEmpty(spec.path, spec.name, "path"),
  });
}

/**
 * A DuckDB SQL query source.
 *
 * @example
 * export const daily = sqlSource({
 *   name: "daily",
 *   query: "SELECT driver_id, day AS ts, avg(rating) AS rating FROM 'r.parquet' GROUP BY ALL",
 *   timestampField: "ts",
 * });
 */
export function sqlSource(spec: SourceSpec & { query: string }): SqlSource {
  return Object.freeze({
    ...common(spec),
    format: "sql",
    query: nonEmpty(spec.query, spec.name, "query"),
  });
}

function common(spec: SourceSpec): Omit<SourceCommon, never> {
  assertIdentifier(spec.name, "source");
  assertIdentifier(spec.timestampField, `source '${spec.name}' timestampField`);
  if (spec.createdTimestampField !== undefined) {
    assertIdentifier(spec.createdTimestampField, `source '${spec.name}' createdTimestampField`);
    if (spec.createdTimestampField === spec.timestampField) {
      throw new PlinthError(
        "FEATURES_INVALID_DEFINITION",
        `Source '${spec.name}' uses '${spec.timestampField}' as both event and created timestamp`,
        { field: "createdTimestampField" },
      );
    }
  }
  return {
    kind: "source",
    name: spec.name,
    timestampField: spec.timestampField,
    createdTimestampField: spec.createdTimestampField,
    description: spec.description ?? "",
  };
}

function nonEmpty(value: unknown, source: string, field: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new PlinthError(
      "FEATURES_INVALID_DEFINITION",
      `Source '${source}' needs a non-empty '${field}'`,
      { field },
    );
  }
  return value;
}
