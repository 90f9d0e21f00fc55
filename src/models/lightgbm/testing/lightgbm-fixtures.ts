import { readFileSync } from "node:fs";
import type { TreeEnsemble } from "../../tree-ensemble.ts";
import { importLightgbmText } from "../import-lightgbm-text.ts";

const DIR = new URL("../fixtures/", import.meta.url);

/**
 * How one fixture's files are laid out (see fixtures/README.md for where they come from):
 * the model, the input rows (`tsv`: one row per line, tab-separated, optionally led by a
 * label column; `libsvm`: label then `index:value` pairs, absent features are 0, as
 * LightGBM reads them) and what LightGBM returned for them, raw scores or predictions.
 */
interface FixtureFiles {
  readonly name: string;
  readonly model: string;
  readonly rows: string;
  readonly format: "tsv" | "tsv-with-label" | "libsvm";
  readonly expected: string;
  readonly kind: "raw" | "prediction";
}

const FILES: readonly FixtureFiles[] = [
  {
    name: "regression-categorical",
    model: "toy_categorical_model.txt",
    rows: "toy_categorical.test",
    format: "libsvm",
    expected: "toy_categorical.test.pred",
    kind: "raw",
  },
  {
    name: "binary-dart",
    model: "lg_dart_breast_cancer.model",
    rows: "breast_cancer_test.tsv",
    format: "tsv",
    expected: "lg_dart_breast_cancer_true_predictions.txt",
    kind: "prediction",
  },
  {
    name: "binary-random-forest",
    model: "lg_rf_iris.model",
    rows: "iris_test.libsvm",
    format: "libsvm",
    expected: "lg_rf_iris_true_predictions.txt",
    // LightGBM before 2.2.3 returned the averaged raw score from predict() for random
    // forests, without the sigmoid (LightGBM issue #1843); that is what this file holds.
    kind: "raw",
  },
  {
    name: "multiclass",
    model: "lgmulticlass.model",
    rows: "multiclass_test.tsv",
    format: "tsv-with-label",
    expected: "lgmulticlass_true_raw_predictions.txt",
    kind: "raw",
  },
  {
    name: "multiclass-categorical",
    model: "lg_kddcup99.model",
    rows: "kddcup99_test.tsv",
    format: "tsv",
    expected: "lg_kddcup99_true_predictions.txt",
    kind: "raw",
  },
  {
    name: "poisson-categorical",
    model: "genlin_fmtp_poisson_Frequency.model",
    rows: "genlin_fmtp_poisson_Frequency_features.tsv",
    format: "tsv",
    expected: "genlin_fmtp_poisson_Frequency_true_predictions.txt",
    kind: "prediction",
  },
];

/** One committed LightGBM model, input rows and LightGBM's own outputs for them. */
export interface LightgbmFixture {
  readonly name: string;
  readonly modelText: string;
  readonly ensemble: TreeEnsemble;
  readonly objective: string;
  readonly numRows: number;
  readonly numFeatures: number;
  /** Row-major inputs. */
  readonly rows: Float64Array;
  /** `numRows × numOutputs`: raw scores or predictions, as `kind` says. */
  readonly expected: Float64Array;
  readonly kind: "raw" | "prediction";
}

let cache: LightgbmFixture[] | undefined;

/** Every fixture, imported once per test process. */
export function loadLightgbmFixtures(): LightgbmFixture[] {
  cache ??= FILES.map((files) => {
    const read = (file: string) => readFileSync(new URL(file, DIR), "utf8");
    const modelText = read(files.model);
    const ensemble = importLightgbmText(modelText);
    const numFeatures = ensemble.featureNames.length;
    const rowLines = lines(read(files.rows));
    const rows = new Float64Array(rowLines.length * numFeatures);
    rowLines.forEach((line, r) => {
      const tokens = line.split(/\s+/);
      if (files.format === "libsvm") {
        for (const pair of tokens.slice(1)) {
          const [index, value] = pair.split(":");
          rows[r * numFeatures + Number(index)] = Number(value);
        }
        return;
      }
      const values = files.format === "tsv-with-label" ? tokens.slice(1) : tokens;
      if (values.length !== numFeatures) throw new Error(`${files.rows}:${r + 1}: wrong width`);
      values.forEach((v, f) => {
        rows[r * numFeatures + f] = Number(v);
      });
    });
    const expectedLines = lines(read(files.expected));
    if (expectedLines.length !== rowLines.length) {
      throw new Error(`${files.expected} and ${files.rows} have different row counts`);
    }
    const expected = Float64Array.from(
      expectedLines.flatMap((line) => line.split(/\s+/).map(Number)),
    );
    return {
      name: files.name,
      modelText,
      ensemble,
      objective: (/^objective=(.*)$/m.exec(modelText)?.[1] ?? "").split(" ")[0] as string,
      numRows: rowLines.length,
      numFeatures,
      rows,
      expected,
      kind: files.kind,
    };
  });
  return cache;
}

/** A model, input rows and the leaf LightGBM's `predict(pred_leaf=True)` reached in each tree. */
export interface LightgbmLeafFixture {
  readonly modelText: string;
  readonly ensemble: TreeEnsemble;
  readonly numRows: number;
  readonly numFeatures: number;
  readonly rows: Float64Array;
  /** `numRows × numTrees`: LightGBM's leaf index (`~child`) per row and tree. */
  readonly leaves: Int32Array;
}

/** `lg_breast_cancer.txt` (binary, v3 format) with 57 rows and their leaf indices. */
export function loadLightgbmLeafFixture(): LightgbmLeafFixture {
  const read = (file: string) => readFileSync(new URL(file, DIR), "utf8");
  const modelText = read("lg_breast_cancer.txt");
  const ensemble = importLightgbmText(modelText);
  const numFeatures = ensemble.featureNames.length;
  const rowLines = lines(read("lg_breast_cancer_data.txt"));
  const rows = Float64Array.from(rowLines.flatMap((line) => line.split(/\s+/).map(Number)));
  const leaves = Int32Array.from(
    lines(read("lg_breast_cancer_data_pred_leaves.txt")).flatMap((line) =>
      line.split(/\s+/).map(Number),
    ),
  );
  if (rows.length !== rowLines.length * numFeatures) throw new Error("wrong row width");
  if (leaves.length !== rowLines.length * ensemble.treeRoot.length) {
    throw new Error("leaf file does not have one index per row and tree");
  }
  return { modelText, ensemble, numRows: rowLines.length, numFeatures, rows, leaves };
}

function lines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
}
