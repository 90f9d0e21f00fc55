import type { TrainingDataset } from "../../../training/dataset/training-dataset.ts";

/** The rows at `indices` of a dataset, in that order (categorical dictionaries kept). */
export function selectDatasetRows(data: TrainingDataset, indices: Int32Array): TrainingDataset {
  const pick = <T extends Float64Array | Int32Array>(values: T, make: (n: number) => T): T => {
    const out = make(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = values[indices[i] as number] as number;
    return out;
  };
  const f64 = (n: number) => new Float64Array(n);
  const i32 = (n: number) => new Int32Array(n);
  return {
    numRows: indices.length,
    features: data.features.map((c) =>
      c.kind === "numeric"
        ? { ...c, values: pick(c.values, f64) }
        : { ...c, codes: pick(c.codes, i32) },
    ),
    label: pick(data.label, f64),
    ...(data.weight === undefined ? {} : { weight: pick(data.weight, f64) }),
  };
}

/** Positions of the rows whose mask byte is `value`. */
export function rowsWhere(mask: Uint8Array, value: 0 | 1): Int32Array {
  const out: number[] = [];
  mask.forEach((m, i) => {
    if (m === value) out.push(i);
  });
  return Int32Array.from(out);
}
