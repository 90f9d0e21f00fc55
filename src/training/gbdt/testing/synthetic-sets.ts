import { createSeededRandom } from "../../../core/seeded-random.ts";
import type { TrainingDataset } from "../../dataset/training-dataset.ts";

/** A small dataset for trainer tests: `numeric` gaussian features, an optional categorical, and a label from `labelOf`. */
export function makeDataset(options: {
  rows: number;
  numeric: number;
  seed: number;
  categoryLevels?: number;
  missingRate?: number;
  labelOf: (x: (f: number) => number, category: number, noise: number) => number;
}): TrainingDataset {
  const rng = createSeededRandom(options.seed);
  const gauss = (): number =>
    Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const columns = Array.from({ length: options.numeric }, () => new Float64Array(options.rows));
  const levels = options.categoryLevels ?? 0;
  const codes = new Int32Array(options.rows);
  const label = new Float64Array(options.rows);
  for (let i = 0; i < options.rows; i++) {
    for (const column of columns) {
      column[i] = rng.next() < (options.missingRate ?? 0) ? Number.NaN : gauss();
    }
    codes[i] = levels > 0 ? rng.nextInt(levels) : 0;
    label[i] = options.labelOf(
      (f) => (columns[f] as Float64Array)[i] as number,
      codes[i] as number,
      rng.next(),
    );
  }
  return {
    numRows: options.rows,
    features: [
      ...columns.map((values, f) => ({ kind: "numeric" as const, name: `x${f}`, values })),
      ...(levels > 0
        ? [
            {
              kind: "categorical" as const,
              name: "category",
              codes,
              dictionary: Array.from({ length: levels }, (_, c) => `c${c}`),
            },
          ]
        : []),
    ],
    label,
  };
}
