import { readFile } from "node:fs/promises";
import { DataType, type Table, tableFromIPC, type Vector } from "apache-arrow";
import { PlinthError } from "../../core/errors.ts";
import { datasetFromColumns, type FrameColumn } from "./dataset-from-columns.ts";
import type { TableReadOptions } from "./table-read-options.ts";
import type { TrainingDataset } from "./training-dataset.ts";

/** The roles of the table's columns, as for every reader. */
export type DatasetFromArrowOptions = TableReadOptions;

/**
 * Builds a TrainingDataset from an Apache Arrow table. Integer and float columns are numeric
 * (null = missing); text, dictionary-encoded and boolean columns, and numeric columns
 * named in `categorical`, are categorical with codes in order of first appearance, as every
 * plinth reader assigns them.
 *
 * Throws TRAINING_INVALID_DATA naming the column: a named column is absent, has a type that
 * cannot be a feature (decimals, dates, lists, structs: convert them first), or the label, weight or
 * group has a missing value.
 *
 * @example
 * const data = datasetFromArrow(tableFromIPC(bytes), { label: "is_fraud" });
 */
export function datasetFromArrow(table: Table, options: DatasetFromArrowOptions): TrainingDataset {
  const names = table.schema.fields.map((f) => f.name);
  const special = [options.label, options.weight, options.group].filter(
    (n): n is string => n !== undefined,
  );
  const features =
    options.features ??
    options.reference?.features.map((c) => c.name) ??
    names.filter((n) => !special.includes(n));
  const columns: Record<string, FrameColumn> = {};
  for (const name of new Set([...features, ...special])) {
    const vector = table.getChild(name);
    if (vector === null) {
      const list = names.map((n) => `'${n}'`).join(", ");
      throw invalid(name, `The Arrow table has no column '${name}'; its columns are ${list}`);
    }
    columns[name] = toFrameColumn(name, vector);
  }
  if (table.numRows === 0) throw invalid("table", "The Arrow table has no rows");
  return datasetFromColumns({
    columns,
    label: options.label,
    features,
    ...(options.categorical === undefined ? {} : { categorical: options.categorical }),
    ...(options.weight === undefined ? {} : { weight: options.weight }),
    ...(options.group === undefined ? {} : { group: options.group }),
    ...(options.reference === undefined ? {} : { reference: options.reference }),
  });
}

/**
 * Reads an Arrow IPC file (`.arrow`, `.feather` v2) into a TrainingDataset.
 *
 * @example
 * const train = await readArrowDataset("train.arrow", { label: "is_fraud" });
 */
export async function readArrowDataset(
  path: string,
  options: DatasetFromArrowOptions,
): Promise<TrainingDataset> {
  const bytes = await readFile(path).catch((cause: unknown) => {
    throw new PlinthError("TRAINING_INVALID_DATA", `Cannot read '${path}'`, {
      field: "path",
      cause,
    });
  });
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (cause) {
    throw new PlinthError(
      "TRAINING_INVALID_DATA",
      `'${path}' is not an Arrow IPC file: ${(cause as Error).message}`,
      { field: "path", cause },
    );
  }
  if (table.schema.fields.length === 0) {
    throw invalid("path", `'${path}' is not an Arrow IPC file with columns`);
  }
  return datasetFromArrow(table, options);
}

function toFrameColumn(name: string, vector: Vector): FrameColumn {
  const type = vector.type;
  const n = vector.length;
  if (DataType.isInt(type) || DataType.isFloat(type)) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v: unknown = vector.get(i);
      out[i] = v === null ? Number.NaN : Number(v);
    }
    return out;
  }
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isBool(type)) {
    return Array.from({ length: n }, (_, i) => textOf(vector.get(i)));
  }
  if (DataType.isDictionary(type)) {
    return Array.from({ length: n }, (_, i) => textOf(vector.get(i)));
  }
  throw invalid(
    name,
    `Column '${name}' has Arrow type ${String(type)}, which cannot be a feature; cast it to a number or text first`,
  );
}

function textOf(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function invalid(field: string, message: string): PlinthError {
  return new PlinthError("TRAINING_INVALID_DATA", message, { field });
}
