import { quoteIdentifier } from "./sql-names.ts";

/** The inputs of one view's point-in-time join, all names already validated. */
export interface PointInTimeJoin {
  /** Result table: `__row_id` plus the feature columns. */
  readonly target: string;
  /** Feature rows: join keys, `__event_ts`, `__created_ts`, `__src_row` and feature columns. */
  readonly featureTable: string;
  readonly keys: readonly string[];
  /** The entity rows' timestamp column. */
  readonly timestampColumn: string;
  /** Internal feature column names (`__f<n>`). */
  readonly columns: readonly string[];
  /** The view's ttl in whole microseconds; 0 = no limit. */
  readonly ttlMicros: bigint;
  /** Also require `__created_ts <= row timestamp`. */
  readonly excludeLateArrivals: boolean;
}

/**
 * The SQL of one view's point-in-time join. Per entity row it picks the feature row with
 * the same keys, `event_ts <= row_ts`, `event_ts >= row_ts - ttl` (when ttl > 0), the
 * latest event time, then the latest created time (nulls last), then the later source row.
 *
 * By default it is an ASOF join over rows first reduced to one per (keys, event_ts): the
 * ASOF match is the latest event time <= row_ts, and since every older row is older still,
 * the ttl can be applied to that match alone. With `excludeLateArrivals` the created-time
 * filter is not monotone in event time, so it is a range join ranked by a window instead.
 *
 * @example
 * const sql = pointInTimeSql({ target: "joined_0", featureTable: "src_0", keys: ["driver_id"],
 *   timestampColumn: "event_timestamp", columns: ["__f0"], ttlMicros: 86_400_000_000n,
 *   excludeLateArrivals: false });
 */
export function pointInTimeSql(join: PointInTimeJoin): string {
  const ts = `e.${quoteIdentifier(join.timestampColumn)}`;
  const keyEq = join.keys.map((k) => `e.${quoteIdentifier(k)} = f.${quoteIdentifier(k)}`);
  const ttlBound =
    join.ttlMicros > 0n
      ? `f.__event_ts >= ${ts} - to_microseconds(${join.ttlMicros.toString()}::BIGINT)`
      : undefined;
  const target = quoteIdentifier(join.target);
  const table = quoteIdentifier(join.featureTable);
  if (join.excludeLateArrivals) {
    const on = [
      ...keyEq,
      `f.__event_ts <= ${ts}`,
      `f.__created_ts <= ${ts}`,
      ...(ttlBound ? [ttlBound] : []),
    ];
    return `CREATE TABLE ${target} AS
SELECT e.__row_id, ${join.columns.map((c) => `f.${quoteIdentifier(c)}`).join(", ")}
FROM entity_rows e JOIN ${table} f ON ${on.join(" AND ")}
QUALIFY row_number() OVER (
  PARTITION BY e.__row_id ORDER BY f.__event_ts DESC, f.__created_ts DESC NULLS LAST, f.__src_row DESC) = 1`;
  }
  const keys = join.keys.map(quoteIdentifier).join(", ");
  // DuckDB's ASOF join matches a NULL timestamp as if it were the latest time, so rows
  // without a timestamp or a key are left out here and come back with nulls in the final LEFT JOIN.
  const notNull = [join.timestampColumn, ...join.keys]
    .map((c) => `${quoteIdentifier(c)} IS NOT NULL`)
    .join(" AND ");
  const pick = (c: string): string =>
    ttlBound === undefined
      ? `f.${quoteIdentifier(c)}`
      : `CASE WHEN ${ttlBound} THEN f.${quoteIdentifier(c)} END`;
  return `CREATE TABLE ${target} AS
WITH latest AS (
  SELECT * FROM ${table}
  QUALIFY row_number() OVER (
    PARTITION BY ${keys}, __event_ts ORDER BY __created_ts DESC NULLS LAST, __src_row DESC) = 1
)
SELECT e.__row_id, ${join.columns.map((c) => `${pick(c)} AS ${quoteIdentifier(c)}`).join(", ")}
FROM (SELECT * FROM entity_rows WHERE ${notNull}) e
ASOF JOIN latest f ON ${[...keyEq, `${ts} >= f.__event_ts`].join(" AND ")}`;
}
