import { PlinthError } from "../../../core/errors.ts";
import { predictLinear } from "../../../models/linear-predictor.ts";
import type { LoadedModelPackage } from "../../../models/package/model-package.ts";
import { predict } from "../../../models/tree-predictor.ts";
import { readParquetDataset } from "../../../training/dataset/read-parquet-dataset.ts";

/** A model's predictions on the holdout rows, with their labels. */
export interface HoldoutPredictions {
  readonly label: Float64Array;
  /** `label.length × numOutputs`, row-major. */
  readonly prediction: Float64Array;
  readonly numOutputs: number;
}

/**
 * Scores a packaged model on the holdout rows of a training-set Parquet file. Inputs are
 * read by the names in the model's manifest and categories coded with the manifest's own
 * dictionary, so a model trained on another training set scores the same rows alike; an
 * unseen category is missing, as at serving.
 *
 * @throws PlinthError `TRAINING_INVALID_DATA` when the file lacks an input the model needs.
 */
export async function predictHoldout(
  model: LoadedModelPackage,
  datasetPath: string,
  labelColumn: string,
  holdout: Int32Array,
): Promise<HoldoutPredictions> {
  const inputs = model.manifest.inputs;
  const data = await readParquetDataset(datasetPath, {
    label: labelColumn,
    features: inputs.map((i) => i.name),
    categorical: inputs.filter((i) => i.type === "category").map((i) => i.name),
  });
  const width = inputs.length;
  const n = holdout.length;
  const rows = new Float64Array(n * width);
  inputs.forEach((input, j) => {
    const column = data.features[j];
    if (column === undefined) throw new Error("unreachable: features follow the manifest");
    if (input.type === "float64") {
      if (column.kind !== "numeric") {
        throw new PlinthError(
          "TRAINING_INVALID_DATA",
          `The model reads '${input.name}' as a number, but the training set has text there`,
          { field: input.name },
        );
      }
      for (let i = 0; i < n; i++)
        rows[i * width + j] = column.values[holdout[i] as number] as number;
      return;
    }
    const index = new Map(input.categories.map((c, k) => [c, k]));
    const codes = column.kind === "categorical" ? column.codes : undefined;
    const dictionary = column.kind === "categorical" ? column.dictionary : [];
    const remap = Float64Array.from(dictionary, (value) => index.get(value) ?? Number.NaN);
    for (let i = 0; i < n; i++) {
      const code = codes?.[holdout[i] as number] ?? -1;
      rows[i * width + j] = code < 0 ? Number.NaN : (remap[code] as number);
    }
  });
  const label = Float64Array.from(holdout, (i) => data.label[i] as number);
  const prediction =
    model.model.kind === "linear"
      ? predictLinear(model.model.model, rows, n)
      : predict(model.model.ensemble, rows, n);
  return { label, prediction, numOutputs: prediction.length / Math.max(1, n) };
}

/** The predictions of some of the holdout rows (positions into it). */
export function selectRows(p: HoldoutPredictions, positions: Int32Array): HoldoutPredictions {
  const k = p.numOutputs;
  const prediction = new Float64Array(positions.length * k);
  positions.forEach((row, i) => {
    prediction.set(p.prediction.subarray(row * k, row * k + k), i * k);
  });
  return {
    label: Float64Array.from(positions, (row) => p.label[row] as number),
    prediction,
    numOutputs: k,
  };
}
