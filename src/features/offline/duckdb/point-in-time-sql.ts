import { quoteIdentifier } from "./sql-names.ts";

/** One view's part of the point-in-time join, all names already validated. */
export interface PointInTimeView {
  /** The view's rows: join keys, `__event_ts`, `__created_ts`, the source order and features. */
  readonly rows: string;
  readonly keys: readonly string[];
  /** Internal feature column names (`__f<n>`). */
  readonly columns: readonly string[];
  /** The view's ttl in whole microseconds; 0 = no limit. */
  readonly ttlMicros: bigint;
  /** Columns (or `rowid`) ordering exact ties by source order, later rows last. */
  readonly sourceOrder: readonly string[];
}

/**
 * The statements of a point-in-time join into table `joined`: every `entity_rows` column,
 * then every view's feature columns, in entity order. Per entity row and view it picks the
 * feature row with the same keys, `event_ts <= row_ts`, `event_ts >= row_ts - ttl` (when
 * ttl > 0), the latest event time, then the latest created time (missing ones lose), then
 * the later source row; no match, a null key or a null row time gives nulls.
 *
 * By default each view is one ASOF LEFT JOIN in a single statement, as one would write it
 * by hand; the ASOF match is the latest event time <= the row's, and every other candidate
 * is older still, so the ttl applies to that match alone. Ties at that event time are then
 * settled by tieFixSql. With `excludeLateArrivals` the created-time filter is not
 * monotone in event time, so each view is a range join ranked by a window first.
 *
 * @example
 * const statements = pointInTimeSql([{ rows: "src_0", keys: ["driver_id"], columns: ["__f0"],
 *   ttlMicros: 86_400_000_000n, sourceOrder: ["file_row_number"] }],
 *   { timestampColumn: "event_timestamp", excludeLateArrivals: false });
 */
export function pointInTimeSql(
  views: readonly PointInTimeView[],
  options: { readonly timestampColumn: string; readonly excludeLateArrivals: boolean },
): string[] {
  const ts = `e.${quoteIdentifier(options.timestampColumn)}`;
  const statements: string[] = [];
  const joins: string[] = [];
  const columns: string[] = [];
  const fixes: string[] = [];
  for (const [i, view] of views.entries()) {
    const f = `f${i}`;
    const keyEq = view.keys.map((k) => `e.${quoteIdentifier(k)} = ${f}.${quoteIdentifier(k)}`);
    const ttlBound =
      view.ttlMicros > 0n
        ? `${f}.__event_ts >= ${ts} - to_microseconds(${view.ttlMicros.toString()}::BIGINT)`
        : undefined;
    const later = view.sourceOrder.map((c) => `${c === "rowid" ? c : quoteIdentifier(c)} DESC`);
    if (options.excludeLateArrivals) {
      const on = [
        ...keyEq,
        `${f}.__event_ts <= ${ts}`,
        `${f}.__created_ts <= ${ts}`,
        ...(ttlBound ? [ttlBound] : []),
      ];
      statements.push(`CREATE TABLE late_${i} AS
SELECT e.__row_id, ${view.columns.map((c) => `${f}.${quoteIdentifier(c)}`).join(", ")}
FROM entity_rows e JOIN ${quoteIdentifier(view.rows)} ${f} ON ${on.join(" AND ")}
QUALIFY row_number() OVER (PARTITION BY e.__row_id
  ORDER BY ${f}.__event_ts DESC, ${f}.__created_ts DESC NULLS LAST, ${later.map((o) => `${f}.${o}`).join(", ")}) = 1`);
      joins.push(`LEFT JOIN late_${i} ${f} ON ${f}.__row_id = e.__row_id`);
      columns.push(...view.columns.map((c) => `${f}.${quoteIdentifier(c)}`));
      continue;
    }
    joins.push(
      `ASOF LEFT JOIN ${quoteIdentifier(view.rows)} ${f} ON ${[...keyEq, `${ts} >= ${f}.__event_ts`].join(" AND ")}`,
    );
    // DuckDB's ASOF join matches a NULL row time as if it were the latest time; such rows,
    // and matches older than the ttl, get nulls here. `__m<i>` keeps the matched event
    // time of the rows that keep their match, for the tie fix below.
    const keep = [`${ts} IS NOT NULL`, ...(ttlBound ? [ttlBound] : [])].join(" AND ");
    columns.push(`CASE WHEN ${keep} THEN ${f}.__event_ts END AS __m${i}`);
    columns.push(
      ...view.columns.map(
        (c) => `CASE WHEN ${keep} THEN ${f}.${quoteIdentifier(c)} END AS ${quoteIdentifier(c)}`,
      ),
    );
    fixes.push(...tieFixSql(view, i, later));
  }
  statements.push(
    `CREATE TABLE joined AS SELECT e.*${columns.map((c) => `, ${c}`).join("")}
FROM entity_rows e ${joins.join("\n")}
ORDER BY e.__row_id`,
    ...fixes,
  );
  return statements;
}

/**
 * The ASOF join picks one row of an event time that several rows of a key share. Rather
 * than reduce every source to one row per (keys, event time) first, a sort of all of it,
 * this finds the matched (keys, event time) groups that have more than one row (a semi
 * join against the matches, then a count), and rewrites those matches with the right row:
 * the latest created time, then the later source row. Without ties it changes nothing.
 */
function tieFixSql(view: PointInTimeView, i: number, later: readonly string[]): string[] {
  const keys = view.keys.map(quoteIdentifier);
  const match = [...keys.map((k) => `s.${k} = m.${k}`), `s.__event_ts = m.__m${i}`].join(" AND ");
  const group = `PARTITION BY ${keys.map((k) => `s.${k}`).join(", ")}, s.__event_ts`;
  const set = view.columns.map((c) => `${quoteIdentifier(c)} = t.${quoteIdentifier(c)}`);
  const where = [...keys.map((k) => `joined.${k} = t.${k}`), `joined.__m${i} = t.__event_ts`];
  const on = (other: string) =>
    [...keys.map((k) => `s.${k} = ${other}.${k}`), `s.__event_ts = ${other}.__event_ts`].join(
      " AND ",
    );
  // Counting matched groups by a hash aggregate is cheap; only the (usually no) groups
  // with ties are then ranked by a window.
  return [
    `CREATE TABLE tie_${i} AS
WITH tied AS (
  SELECT ${keys.map((k) => `s.${k}`).join(", ")}, s.__event_ts
  FROM ${quoteIdentifier(view.rows)} s SEMI JOIN joined m ON ${match}
  GROUP BY ALL HAVING count(*) > 1
)
SELECT ${keys.map((k) => `s.${k}`).join(", ")}, s.__event_ts, ${view.columns.map((c) => `s.${quoteIdentifier(c)}`).join(", ")}
FROM ${quoteIdentifier(view.rows)} s SEMI JOIN tied d ON ${on("d")}
QUALIFY row_number() OVER (${group} ORDER BY s.__created_ts DESC NULLS LAST, ${later.map((o) => `s.${o}`).join(", ")}) = 1`,
    `UPDATE joined SET ${set.join(", ")} FROM tie_${i} t WHERE ${where.join(" AND ")}`,
    `DROP TABLE tie_${i}`,
  ];
}
