import type { TrainingDataset } from "./training-dataset.ts";

/** Rows copied per pass over the columns, so each column's slice stays in cache. */
const BLOCK_ROWS = 1024;

/**
 * The features of `dataset` as one row-major matrix (`numRows × numFeatures`, row i at
 * `i * numFeatures`), the layout predictors take: numeric values as they are (NaN missing),
 * categorical codes as numbers with -1 (missing) as NaN.
 *
 * @example
 * const rows = toRowMajor(test);
 * const probabilities = predict(model.ensemble, rows, test.numRows);
 */
export function toRowMajor(dataset: TrainingDataset): Float64Array {
  const n = dataset.numRows;
  const width = dataset.features.length;
  const out = new Float64Array(n * width);
  for (let begin = 0; begin < n; begin += BLOCK_ROWS) {
    const end = Math.min(n, begin + BLOCK_ROWS);
    dataset.features.forEach((column, j) => {
      if (column.kind === "numeric") {
        const values = column.values;
        for (let i = begin; i < end; i++) out[i * width + j] = values[i]!;
      } else {
        const codes = column.codes;
        for (let i = begin; i < end; i++) {
          const code = codes[i]!;
          out[i * width + j] = code < 0 ? Number.NaN : code;
        }
      }
    });
  }
  return out;
}
