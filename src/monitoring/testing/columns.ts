import type { CategoricalColumn, NumericColumn } from "../../training/dataset/training-dataset.ts";

/** A numeric column from plain numbers (NaN = missing). */
export function numeric(name: string, values: ArrayLike<number>): NumericColumn {
  return { kind: "numeric", name, values: Float64Array.from(values) };
}

/** A categorical column from strings (null = missing), coded in order of first appearance. */
export function categorical(name: string, values: readonly (string | null)[]): CategoricalColumn {
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  const codes = Int32Array.from(values, (v) => {
    if (v === null) return -1;
    let code = index.get(v);
    if (code === undefined) {
      code = dictionary.length;
      index.set(v, code);
      dictionary.push(v);
    }
    return code;
  });
  return { kind: "categorical", name, codes, dictionary };
}

/** The finite values of `values`, sorted: the brute-force oracle for quantiles and ranks. */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values)
    .filter((x) => Number.isFinite(x))
    .sort();
}

/** The ⌈q·n⌉-th smallest of sorted values (nearest rank): the brute-force quantile. */
export function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
}
