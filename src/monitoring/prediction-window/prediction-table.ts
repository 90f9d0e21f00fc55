import { PlinthError } from "../../core/errors.ts";
import type { PredictionRecord } from "../../serving/prediction-log/prediction-record.ts";
import type { FeatureColumn } from "../../training/dataset/training-dataset.ts";
import type { MonitoringTable } from "../report/read-monitoring-table.ts";

/** A window of logged predictions as a monitoring table, with what labels are joined on. */
export interface PredictionTable extends MonitoringTable {
  /** The prediction column's name in `columns` (drift-tested with the features), when there is one. */
  readonly prediction: string | null;
  /** Per row: the request id, the variant and the entity keys as canonical JSON (labels join on them). */
  readonly requestIds: readonly string[];
  readonly variants: readonly string[];
  readonly entityKeys: readonly string[];
}

/** How {@link predictionTable} turns records into columns. */
export interface PredictionTableOptions {
  /** Features read as categories even when their values are numbers. */
  readonly categorical?: readonly string[];
  /**
   * The output that is the prediction: an output name (`score`), or `name[i]` for one element
   * of an array output (`probabilities[1]`). Default: `score`, else `prediction`, else the
   * last element of `probabilities`, else the first numeric output.
   */
  readonly prediction?: string;
}

/**
 * Turns logged predictions into the columnar table monitoring's profile, drift, quality and
 * performance code reads, unchanged: each feature is a column (numeric when all its values
 * are numbers or null — null becomes NaN, which monitoring counts as missing — categorical
 * when any is text, or when named in `categorical`), each scalar output a numeric column (an
 * array output one column per element, `name[i]`), and `at` the timestamp. A feature absent
 * from some records is missing there; the label is all NaN until labels are joined.
 *
 * @throws PlinthError `MONITORING_INVALID_INPUT` when `prediction` names no output.
 */
export function predictionTable(
  records: readonly PredictionRecord[],
  options: PredictionTableOptions = {},
): PredictionTable {
  const n = records.length;
  const forced = new Set(options.categorical ?? []);
  const featureNames = namesIn(records, (r) => r.features);
  const outputNames = namesIn(records, (r) => r.outputs);
  const columns: FeatureColumn[] = featureNames.map((name) =>
    featureColumn(records, name, forced.has(name)),
  );
  const taken = new Set(featureNames);
  const outputColumns: FeatureColumn[] = [];
  for (const name of outputNames) {
    const width = records.reduce((w, r) => {
      const v = r.outputs[name];
      return Array.isArray(v) ? Math.max(w, v.length) : w;
    }, 0);
    const scalar = records.some((r) => typeof r.outputs[name] === "number");
    if (scalar) outputColumns.push(outputColumn(records, name, -1, taken));
    for (let i = 0; i < width; i++) outputColumns.push(outputColumn(records, name, i, taken));
  }
  columns.push(...outputColumns);
  const prediction = choosePrediction(outputColumns, options.prediction);
  return {
    rows: n,
    columns,
    label: Float64Array.from({ length: n }, () => Number.NaN),
    timestamp: Float64Array.from(records, (r) => r.at),
    prediction,
    requestIds: records.map((r) => r.requestId),
    variants: records.map((r) => r.variant),
    entityKeys: records.map((r) => entityKey(r.entities)),
  };
}

/** Entity keys as JSON with sorted keys: `{ card: "c1", user: 7 }` and `{ user: 7, card: "c1" }` are one entity. */
export function entityKey(entities: Readonly<Record<string, string | number>>): string {
  const keys = Object.keys(entities).sort();
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, entities[k]])));
}

function namesIn(
  records: readonly PredictionRecord[],
  of: (r: PredictionRecord) => Readonly<Record<string, unknown>>,
): string[] {
  const seen = new Set<string>();
  for (const r of records) for (const name in of(r)) seen.add(name);
  return [...seen];
}

function featureColumn(
  records: readonly PredictionRecord[],
  name: string,
  categorical: boolean,
): FeatureColumn {
  const isText = categorical || records.some((r) => typeof r.features[name] === "string");
  if (!isText) {
    return {
      kind: "numeric",
      name,
      values: Float64Array.from(records, (r) => {
        const v = r.features[name];
        return typeof v === "number" ? v : Number.NaN;
      }),
    };
  }
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  const codes = Int32Array.from(records, (r) => {
    const v = r.features[name];
    // A number in a categorical feature is its text; NaN and null are missing.
    if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) return -1;
    const text = String(v);
    let code = index.get(text);
    if (code === undefined) {
      code = dictionary.length;
      index.set(text, code);
      dictionary.push(text);
    }
    return code;
  });
  return { kind: "categorical", name, codes, dictionary };
}

function outputColumn(
  records: readonly PredictionRecord[],
  name: string,
  element: number,
  taken: Set<string>,
): FeatureColumn {
  let column = element < 0 ? name : `${name}[${element}]`;
  // An output named like a feature keeps both: the output gets a prefix.
  if (taken.has(column)) column = `output.${column}`;
  taken.add(column);
  const values = Float64Array.from(records, (r) => {
    const v = r.outputs[name];
    if (element < 0) return typeof v === "number" ? v : Number.NaN;
    return Array.isArray(v) && typeof v[element] === "number" ? (v[element] as number) : Number.NaN;
  });
  return { kind: "numeric", name: column, values };
}

function choosePrediction(
  outputs: readonly FeatureColumn[],
  wanted: string | undefined,
): string | null {
  const names = outputs.map((c) => c.name);
  if (wanted !== undefined) {
    const found = names.find((n) => n === wanted || n === `output.${wanted}`);
    if (found === undefined) {
      throw new PlinthError(
        "MONITORING_INVALID_INPUT",
        `'prediction' names no logged output: '${wanted}' (outputs: ${names.join(", ") || "none"})`,
        { field: "prediction" },
      );
    }
    return found;
  }
  for (const n of ["score", "prediction"]) {
    const found = names.find((c) => c === n || c === `output.${n}`);
    if (found !== undefined) return found;
  }
  const probabilities = names.filter((c) => /^(output\.)?probabilities\[\d+\]$/.test(c));
  if (probabilities.length > 0) return probabilities.at(-1)!;
  return names[0] ?? null;
}
