import { DuckDBInstance } from "@duckdb/node-api";
import type { SeededRandom } from "../../../core/seeded-random.ts";

// The brute-force side of the offline-store contract: per entity row and view, scan every
// feature row. Written for clarity, not speed, and independent of the SQL it checks.

/** One feature row as the oracle sees it: keys, times in one unit (ticks), values. */
export interface FeatureRow {
  readonly keys: readonly (string | number | null)[];
  readonly event: number | null;
  readonly created: number | null;
  readonly values: readonly (number | string | boolean | null)[];
}

/** A view's rows in source order, its ttl in ticks (0 = none), and whether it has created times. */
export interface OracleView {
  readonly rows: readonly FeatureRow[];
  readonly ttl: number;
  readonly hasCreated: boolean;
}

/** `value`, or null with probability `p`. */
export function maybe<T>(rng: SeededRandom, p: number, value: T): T | null {
  return rng.next() < p ? null : value;
}

/** CSV text; null is the empty field. */
export function csv(
  header: readonly string[],
  rows: readonly (readonly (string | number | boolean | null)[])[],
): string {
  return [
    header.join(","),
    ...rows.map((r) => r.map((v) => (v === null ? "" : String(v))).join(",")),
  ].join("\n");
}

/**
 * The winning feature row for one entity row, or undefined: same keys, event <= ts,
 * event >= ts - ttl when ttl > 0, (with excludeLate) created <= ts; then the latest event,
 * the latest created time (a missing one loses), the later source row.
 */
export function oracle(
  view: OracleView,
  keys: readonly (string | number | null)[],
  ts: number | null,
  excludeLate: boolean,
): FeatureRow | undefined {
  if (ts === null || keys.some((k) => k === null)) return undefined;
  let best: { row: FeatureRow; index: number } | undefined;
  for (const [index, row] of view.rows.entries()) {
    if (row.event === null || row.keys.some((k, i) => k === null || k !== keys[i])) continue;
    if (row.event > ts) continue;
    if (view.ttl > 0 && row.event < ts - view.ttl) continue;
    const created = view.hasCreated ? row.created : row.event;
    if (excludeLate && (created === null || created > ts)) continue;
    if (best === undefined) {
      best = { row, index };
      continue;
    }
    const b = best.row;
    const bCreated = view.hasCreated ? b.created : b.event;
    const cmp =
      row.event - b.event! ||
      (created === bCreated
        ? 0
        : created === null
          ? -1
          : bCreated === null
            ? 1
            : created - bCreated) ||
      index - best.index;
    if (cmp > 0) best = { row, index };
  }
  return best?.row;
}

/** Runs one DuckDB statement in a throwaway in-memory database (fixture writing). */
export async function runDuckDb(statement: string): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run(statement);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
