import type { CategoricalColumn } from "../../training/dataset/training-dataset.ts";
import { sortFloat64 } from "./sort-float64.ts";

/** Rows of one side of a column, and what was left out of the test. */
export interface ColumnRows {
  /** Rows in the input. */
  readonly rows: number;
  /** Rows the test used: finite numbers, or categories with a value. */
  readonly used: number;
  /** Rows left out as missing (NaN, or no category). */
  readonly missing: number;
  /** Rows left out as ±Infinity (numeric only). */
  readonly infinite: number;
}

/** A numeric side, cleaned as Evidently cleans it (±Infinity → missing, then dropped) and sorted. */
export interface PreparedNumeric extends ColumnRows {
  readonly kind: "numeric";
  readonly sorted: Float64Array;
}

/** A categorical side as counts per value. */
export interface PreparedCategorical extends ColumnRows {
  readonly kind: "categorical";
  readonly counts: ReadonlyMap<string, number>;
}

export type PreparedColumn = PreparedNumeric | PreparedCategorical;

/** The finite values of `values`, sorted (NaN and ±Infinity counted and dropped). */
export function prepareNumeric(values: Float64Array): PreparedNumeric {
  const finite = new Float64Array(values.length);
  let used = 0;
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x - x === 0) finite[used++] = x;
    else if (Number.isNaN(x)) missing++;
  }
  const sorted = sortFloat64(finite.subarray(0, used));
  const infinite = values.length - used - missing;
  return { kind: "numeric", sorted, rows: values.length, used, missing, infinite };
}

/** Counts per category value; codes outside the dictionary are the caller's bug to refuse. */
export function prepareCategorical(column: CategoricalColumn): PreparedCategorical {
  const perCode = new Float64Array(column.dictionary.length);
  let missing = 0;
  for (let i = 0; i < column.codes.length; i++) {
    const code = column.codes[i] as number;
    if (code < 0) missing++;
    else perCode[code] = (perCode[code] as number) + 1;
  }
  const counts = new Map<string, number>();
  perCode.forEach((c, code) => {
    if (c > 0)
      counts.set(column.dictionary[code]!, (counts.get(column.dictionary[code]!) ?? 0) + c);
  });
  const rows = column.codes.length;
  return { kind: "categorical", counts, rows, used: rows - missing, missing, infinite: 0 };
}

/** Per-value counts of both sides over the union of their values, in increasing key order. */
export interface AlignedCounts {
  readonly keys: readonly (number | string)[];
  readonly reference: Float64Array;
  readonly current: Float64Array;
}

/** Aligns the value counts of two prepared sides of one kind. */
export function alignCounts(reference: PreparedColumn, current: PreparedColumn): AlignedCounts {
  if (reference.kind === "categorical" && current.kind === "categorical") {
    const keys = [...new Set([...reference.counts.keys(), ...current.counts.keys()])].sort(
      compareText,
    );
    return {
      keys,
      reference: Float64Array.from(keys, (k) => reference.counts.get(k) ?? 0),
      current: Float64Array.from(keys, (k) => current.counts.get(k) ?? 0),
    };
  }
  if (reference.kind === "numeric" && current.kind === "numeric") {
    const a = reference.sorted;
    const b = current.sorted;
    const keys: number[] = [];
    const ref: number[] = [];
    const cur: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const x =
        i < a.length && (j >= b.length || (a[i] as number) <= (b[j] as number))
          ? (a[i] as number)
          : (b[j] as number);
      const i0 = i;
      const j0 = j;
      while (i < a.length && a[i] === x) i++;
      while (j < b.length && b[j] === x) j++;
      keys.push(x);
      ref.push(i - i0);
      cur.push(j - j0);
    }
    return { keys, reference: Float64Array.from(ref), current: Float64Array.from(cur) };
  }
  throw new Error("alignCounts: the two sides differ in kind");
}

/** Distinct values over both sides together (pandas' `nunique` of their concatenation). */
export function uniqueValues(reference: PreparedColumn, current: PreparedColumn): number {
  if (reference.kind === "categorical" && current.kind === "categorical") {
    let count = reference.counts.size;
    for (const key of current.counts.keys()) if (!reference.counts.has(key)) count++;
    return count;
  }
  if (reference.kind === "numeric" && current.kind === "numeric") {
    return distinctInMerge(reference.sorted, current.sorted);
  }
  throw new Error("uniqueValues: the two sides differ in kind");
}

/** Distinct values of one prepared side. */
export function uniqueValuesOf(side: PreparedColumn): number {
  return side.kind === "categorical"
    ? side.counts.size
    : distinctInMerge(side.sorted, new Float64Array(0));
}

function distinctInMerge(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let distinct = 0;
  while (i < a.length || j < b.length) {
    const x =
      i < a.length && (j >= b.length || (a[i] as number) <= (b[j] as number))
        ? (a[i] as number)
        : (b[j] as number);
    while (i < a.length && a[i] === x) i++;
    while (j < b.length && b[j] === x) j++;
    distinct++;
  }
  return distinct;
}

/** Code-unit order, as Python sorts strings for the first key of a Z-test. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
