import { PlinthError } from "../../core/errors.ts";
import type { FeatureColumns } from "../definitions/on-demand-feature-view.ts";
import type { PushSource } from "../definitions/push-source.ts";
import type { ViewRowBatch } from "../offline/latest-rows.ts";
import { JS_TYPE_OF } from "../online/feature-value.ts";
import { INVALID, parseInputValue } from "../online/parse-input-value.ts";

/** Created time of a row without one; equal to online-store.ts's NO_CREATED_TIME. */
const NO_CREATED_TIME = Number.MIN_SAFE_INTEGER;

/**
 * Checks pushed rows against the push source's schema and turns them into typed columns
 * with event and created times. Every schema column must be present in every row (null
 * allowed, except for `required` columns: join keys and the event timestamp), no other
 * column may be, and every value must have its declared type. Nothing is written when
 * any row is bad: the error (FEATURES_INVALID_PUSH) names the row and the column.
 *
 * @example
 * const batch = readPushedRows(liveTrips, rows, new Set(["driver_id"]));
 */
export function readPushedRows(
  source: PushSource,
  rows: unknown,
  required: ReadonlySet<string>,
): ViewRowBatch {
  if (!Array.isArray(rows)) {
    throw new PlinthError(
      "FEATURES_INVALID_PUSH",
      `Rows pushed to '${source.name}' must be an array of objects`,
      {
        field: "rows",
      },
    );
  }
  const n = rows.length;
  const columns: FeatureColumns = {};
  for (const f of source.schema)
    columns[f.name] = f.type === "float64" ? new Float64Array(n) : new Array(n);
  const allowed = new Set(source.schema.map((f) => f.name));
  const eventField = source.batchSource.timestampField;
  const createdField = source.schema.some(
    (f) => f.name === source.batchSource.createdTimestampField,
  )
    ? source.batchSource.createdTimestampField
    : undefined;
  const eventMicros = new Float64Array(n);
  const createdMicros = new Float64Array(n);
  const bad = (r: number, field: string, problem: string) =>
    new PlinthError("FEATURES_INVALID_PUSH", `Row ${r} pushed to '${source.name}': ${problem}`, {
      field,
    });
  for (let r = 0; r < n; r++) {
    const row = rows[r] as unknown;
    if (row === null || typeof row !== "object" || Array.isArray(row)) {
      throw bad(r, `rows[${r}]`, "is not an object of columns");
    }
    for (const name of Object.keys(row)) {
      if (!allowed.has(name)) {
        throw bad(
          r,
          name,
          `column '${name}' is not in the push source's schema (${[...allowed].join(", ")})`,
        );
      }
    }
    for (const f of source.schema) {
      if (!Object.hasOwn(row, f.name))
        throw bad(r, f.name, `column '${f.name}' is missing (use null for no value)`);
      const raw = (row as Record<string, unknown>)[f.name];
      const value = parseInputValue(f.type, raw);
      if (value === INVALID) {
        throw bad(
          r,
          f.name,
          `column '${f.name}' holds ${typeof raw} ${JSON.stringify(String(raw).slice(0, 40))}; it is declared ${f.type}, so pass ${JS_TYPE_OF[f.type]}`,
        );
      }
      if (value === null && (required.has(f.name) || f.name === eventField)) {
        throw bad(
          r,
          f.name,
          `column '${f.name}' is a join key or the event timestamp, so it cannot be null`,
        );
      }
      const column = columns[f.name]!;
      if (column instanceof Float64Array)
        column[r] = value === null ? Number.NaN : (value as number);
      else (column as unknown[])[r] = value;
    }
    eventMicros[r] = ((columns[eventField] as Date[])[r] as Date).getTime() * 1000;
    const created =
      createdField === undefined ? undefined : (columns[createdField] as (Date | null)[])[r];
    createdMicros[r] =
      created === undefined
        ? eventMicros[r]!
        : created === null
          ? NO_CREATED_TIME
          : created.getTime() * 1000;
  }
  return { numRows: n, columns, eventMicros, createdMicros };
}
