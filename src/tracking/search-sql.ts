import { type RawBuilder, sql } from "kysely";
import type { FilterComparison, OrderByClause } from "./search-filter.ts";

/**
 * Where a filter's left-hand side lives in SQL: a column of the searched row, or a
 * key/value table joined to it (params, tags, latest metrics).
 */
export type SearchTarget =
  | { kind: "column"; column: string }
  | { kind: "keyValue"; table: string; ownerColumn: string; outerColumn: string; numeric: boolean };

const COMPARISON_OPS = new Set(["=", "!=", "<", "<=", ">", ">="]);

/**
 * One filter comparison as a SQL boolean. Operators come from the parser's closed set, so
 * `sql.raw` only ever sees one of the six comparison symbols; values are bound parameters.
 * A key/value comparison is `owner IN (owners whose key matches)`, so a row without the key
 * never matches (MLflow's rule), and `IS NULL` on a key means the key is absent.
 *
 * IN rather than a correlated EXISTS: the subquery is one range scan of the `(key, value,
 * owner)` index, whatever the outer query looks like. SQLite evaluates it once into a
 * lookup table; PostgreSQL plans it as a semi-join like EXISTS.
 */
export function comparisonSql(c: FilterComparison, target: SearchTarget): RawBuilder<boolean> {
  if (target.kind === "column") return predicate(sql.ref(target.column), c);
  const kv = sql`${sql.table(target.table)}`;
  const owner = sql.ref(`kv.${target.ownerColumn}`);
  const outer = sql.ref(target.outerColumn);
  if (c.op === "IS NULL" || c.op === "IS NOT NULL") {
    const exists = sql`exists (select 1 from ${kv} kv where ${owner} = ${outer} and kv.key = ${c.key})`;
    return c.op === "IS NULL" ? sql<boolean>`not ${exists}` : sql<boolean>`${exists}`;
  }
  // NaN is stored as value 0 with is_nan 1: it equals nothing and differs from everything.
  const nanGuard = target.numeric
    ? c.op === "!="
      ? sql`(kv.is_nan = 1 or ${predicate(sql.ref("kv.value"), c)})`
      : sql`kv.is_nan = 0 and ${predicate(sql.ref("kv.value"), c)}`
    : predicate(sql.ref("kv.value"), c);
  return sql<boolean>`${outer} in (select ${owner} from ${kv} kv where kv.key = ${c.key} and ${nanGuard})`;
}

function predicate(left: RawBuilder<unknown> | ReturnType<typeof sql.ref>, c: FilterComparison) {
  const value = c.value;
  switch (c.op) {
    case "LIKE":
      return sql<boolean>`${left} like ${value}`;
    case "ILIKE":
      return sql<boolean>`lower(${left}) like lower(${value})`;
    case "IN":
    case "NOT IN": {
      const list = sql.join((value as string[]).map((v) => sql`${v}`));
      return c.op === "IN"
        ? sql<boolean>`${left} in (${list})`
        : sql<boolean>`${left} not in (${list})`;
    }
    case "IS NULL":
      return sql<boolean>`${left} is null`;
    case "IS NOT NULL":
      return sql<boolean>`${left} is not null`;
    default:
      if (!COMPARISON_OPS.has(c.op)) throw new Error(`unhandled filter operator ${c.op}`);
      return sql<boolean>`${left} ${sql.raw(c.op)} ${value}`;
  }
}

/**
 * An ORDER BY term with nulls last in both directions (MLflow's order). Both engines spell
 * it NULLS LAST (SQLite since 3.30); the expression appears once, so a subquery or join
 * behind it is evaluated once per row.
 */
export function orderTermSql(
  expression: RawBuilder<unknown>,
  ascending: boolean,
): RawBuilder<unknown> {
  return sql`${expression} ${sql.raw(ascending ? "asc" : "desc")} nulls last`;
}

/** The clause's key with the entity it belongs to, for messages. */
export function describeClause(c: OrderByClause | FilterComparison): string {
  return `${c.entity}s.${c.key}`;
}
