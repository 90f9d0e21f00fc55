import { PlinthError } from "../../core/errors.ts";

/**
 * The entity rows of a training set: keys and an event timestamp per row, plus any other
 * columns (labels, request data), which pass through to the result in input order.
 *
 * - an array of row objects: join keys as `number` / `bigint` / `string` / `boolean`, the
 *   timestamp as `Date` (an instant, so it joins TIMESTAMPTZ sources) or an ISO string
 *   (with `Z` or an offset: an instant; without: a naive time for naive sources);
 * - `{ parquet: path }` or `{ csv: path }`: a file (or glob; relative to the current
 *   directory), read by DuckDB. CSV column types are inferred, so a string key such as
 *   "007" must come from Parquet (or a `{ sql }` that casts it);
 * - `{ sql: query }`: a DuckDB query (the caller's own SQL, run as a subquery).
 *
 * Other columns must be integers, floats or decimals, text, booleans or timestamps (a DATE
 * or a list is refused, not converted). Timestamps are compared at microsecond precision.
 * A row with a null key or timestamp is kept, with null features.
 *
 * @example
 * const rows: EntityInput = [{ driver_id: 7, event_timestamp: new Date(), label: 1 }];
 * const file: EntityInput = { parquet: "labels/*.parquet" };
 */
export type EntityInput =
  | readonly Readonly<Record<string, unknown>>[]
  | { readonly parquet: string }
  | { readonly csv: string }
  | { readonly sql: string };

/**
 * The entity input of a file path: `.parquet` or `.csv` (by extension, any case). Anything
 * else is INVALID_ARGUMENT naming `field`.
 *
 * @example
 * const input = entityInputFromPath("labels.parquet", "entities"); // { parquet: "labels.parquet" }
 */
export function entityInputFromPath(path: string, field: string): EntityInput {
  if (/\.parquet$/i.test(path)) return { parquet: path };
  if (/\.csv$/i.test(path)) return { csv: path };
  throw new PlinthError(
    "INVALID_ARGUMENT",
    `'${field}' must be a .csv or .parquet file of entity rows, got '${path}'`,
    { field },
  );
}
