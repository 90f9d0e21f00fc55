import type { TrainingDataset } from "./training-dataset.ts";

/** Rows `[begin, end)` of a dataset. */
export function sliceDataset(data: TrainingDataset, begin: number, end: number): TrainingDataset {
  return {
    numRows: end - begin,
    features: data.features.map((c) =>
      c.kind === "numeric"
        ? { ...c, values: c.values.slice(begin, end) }
        : { ...c, codes: c.codes.slice(begin, end) },
    ),
    label: data.label.slice(begin, end),
    ...(data.weight ? { weight: data.weight.slice(begin, end) } : {}),
    ...(data.group ? { group: data.group.slice(begin, end) } : {}),
  };
}
