import { PlinthError } from "../../core/errors.ts";
import { CategoricalEncoder } from "./categorical-encoder.ts";
import { MISSING_TOKENS } from "./parse-csv-number.ts";
import type { FeatureColumn, TrainingDataset } from "./training-dataset.ts";

/** One column of a columnar frame; `null`/`undefined` are missing values. */
export type FrameColumn =
  | Float64Array
  | readonly (number | null | undefined)[]
  | readonly (string | null | undefined)[];

import type { TableReadOptions } from "./table-read-options.ts";

export interface DatasetFromColumnsOptions extends TableReadOptions {
  /** Column name → values; every column has the same length. */
  readonly columns: Readonly<Record<string, FrameColumn>>;
}

/**
 * Builds a TrainingDataset from a columnar frame. String columns (and numeric ones named in
 * `categorical`, whose numbers become the strings `String(v)`) are categorical, coded in
 * order of first appearance like `readCsvDataset`; `null`, `undefined`, `NaN` and the CSV
 * missing tokens (`""`, `"NA"`, `"NaN"`, `"nan"`) are missing. A Float64Array column is used
 * as is, not copied.
 *
 * Throws TRAINING_INVALID_DATA naming the column: a named column is absent, lengths differ,
 * a value has the wrong type, or the label, weight or group has a missing value.
 *
 * @example
 * const data = datasetFromColumns({
 *   columns: { amount: [12.5, 80, 3.2], merchant: ["a", "b", "a"], fraud: [0, 1, 0] },
 *   label: "fraud",
 * });
 */
export function datasetFromColumns(options: DatasetFromColumnsOptions): TrainingDataset {
  const { columns, label, weight, group, reference } = options;
  const names = Object.keys(columns);
  const numRows = names.length === 0 ? 0 : columns[names[0]!]!.length;
  for (const name of names) {
    const length = columns[name]!.length;
    if (length !== numRows) {
      throw invalid(name, `Column '${name}' has ${length} values; '${names[0]}' has ${numRows}`);
    }
  }
  if (numRows === 0) throw invalid("columns", "The frame has no rows");
  const column = (name: string, role: string): FrameColumn => {
    const values = columns[name];
    if (values === undefined) {
      const list = names.map((n) => `'${n}'`).join(", ");
      throw invalid(name, `The frame has no ${role} column '${name}'; its columns are ${list}`);
    }
    return values;
  };
  const special = new Set([label, weight, group].filter((n) => n !== undefined));
  const featureNames =
    options.features ??
    reference?.features.map((c) => c.name) ??
    names.filter((n) => !special.has(n));
  const categorical = new Set(
    options.categorical ??
      reference?.features.filter((c) => c.kind === "categorical").map((c) => c.name) ??
      [],
  );
  const features = featureNames.map((name): FeatureColumn => {
    if (special.has(name)) throw invalid(name, `Column '${name}' is both a feature and a role`);
    const values = column(name, "feature");
    if (!categorical.has(name) && !isStringColumn(values)) {
      return { kind: "numeric", name, values: toFloat64(name, values) };
    }
    const previous = reference?.features.find((c) => c.name === name);
    const encoder = new CategoricalEncoder(
      previous?.kind === "categorical" ? previous.dictionary : [],
    );
    return {
      kind: "categorical",
      name,
      codes: encode(values, encoder),
      dictionary: encoder.dictionary,
    };
  });
  const required = (name: string, role: string): Float64Array => {
    const values = toFloat64(name, column(name, role));
    const missing = values.findIndex(Number.isNaN);
    if (missing >= 0) throw invalid(name, `Column '${name}' has no value at row ${missing}`);
    return values;
  };
  let groupCodes: Int32Array | undefined;
  if (group !== undefined) {
    groupCodes = encode(column(group, "group"), new CategoricalEncoder());
    const missing = groupCodes.indexOf(-1);
    if (missing >= 0) throw invalid(group, `Column '${group}' has no value at row ${missing}`);
  }
  return {
    numRows,
    features,
    label:
      label === undefined ? new Float64Array(numRows).fill(Number.NaN) : required(label, "label"),
    ...(weight === undefined ? {} : { weight: required(weight, "weight") }),
    ...(groupCodes === undefined ? {} : { group: groupCodes }),
  };
}

function isStringColumn(values: FrameColumn): boolean {
  if (values instanceof Float64Array) return false;
  return values.some((v) => typeof v === "string");
}

function toFloat64(name: string, values: FrameColumn): Float64Array {
  if (values instanceof Float64Array) return values;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === "number") out[i] = v;
    else if (v === null || v === undefined) out[i] = Number.NaN;
    else throw invalid(name, `Column '${name}' has non-numeric value '${v}' at row ${i}`);
  }
  return out;
}

function encode(values: FrameColumn, encoder: CategoricalEncoder): Int32Array {
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const text = typeof v === "number" ? (Number.isNaN(v) ? "" : String(v)) : (v ?? "");
    codes[i] = MISSING_TOKENS.has(text) ? -1 : encoder.encode(text);
  }
  return codes;
}

function invalid(field: string, message: string): PlinthError {
  return new PlinthError("TRAINING_INVALID_DATA", message, { field });
}
