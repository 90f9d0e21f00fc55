import { PlinthError } from "../../core/errors.ts";
import type { FeatureColumn } from "../../training/dataset/training-dataset.ts";
import { type ColumnDrift, columnDrift } from "./column-drift.ts";
import {
  type DriftOptions,
  requireApplicable,
  resolveChoice,
  validateDriftOptions,
} from "./drift-options.ts";
import {
  type ColumnRows,
  type PreparedColumn,
  prepareCategorical,
  prepareNumeric,
} from "./prepared-column.ts";

/** What {@link computeDrift} compares. */
export interface DriftInput {
  /** The reference columns (the training set, or a window known to be good). */
  readonly reference: readonly FeatureColumn[];
  /** The current columns (a window of serving data). */
  readonly current: readonly FeatureColumn[];
  /** The name of the column holding the model's prediction, tested like the features. */
  readonly prediction?: string;
  readonly options?: DriftOptions;
}

/** Per-column drift and the dataset-level verdict. */
export interface DriftTable {
  /** One row per column of either side: reference order, then current-only columns. */
  readonly columns: readonly ColumnDrift[];
  /** Columns whose test ran. */
  readonly tested: number;
  /** Tested columns that drifted. */
  readonly drifted: number;
  /** drifted / tested (0 when nothing could be tested). */
  readonly share: number;
  /** The share at which the dataset counts as drifted. */
  readonly driftShare: number;
  /** share ≥ driftShare, with at least one column tested (Evidently counts the prediction too). */
  readonly datasetDrift: boolean;
}

/** Evidently's default `drift_share`. */
export const DEFAULT_DRIFT_SHARE = 0.5;

/**
 * The drift table of current against reference, column by column, with Evidently's test
 * selection and thresholds unless `options` override them, and the dataset drift verdict.
 * NaN is missing and ±Infinity is dropped as Evidently does, and both are counted in each
 * row; a column with nothing left on one side, missing from one side, or numeric on one side
 * and categorical on the other is a `skipped` row saying so, never a crash.
 *
 * Throws MONITORING_INVALID_INPUT naming the field for malformed input: columns of unequal
 * length within a side, repeated names, codes outside a dictionary, an unknown prediction
 * column, or bad options.
 *
 * @example
 * const table = computeDrift({ reference: train.features, current: today.features });
 * table.datasetDrift; // true when at least half the columns drifted
 */
export function computeDrift(input: DriftInput): DriftTable {
  const options = input.options ?? {};
  const reference = indexColumns(input.reference, "reference");
  const current = indexColumns(input.current, "current");
  validateDriftOptions(options, new Set([...reference.keys(), ...current.keys()]));
  if (
    input.prediction !== undefined &&
    !reference.has(input.prediction) &&
    !current.has(input.prediction)
  ) {
    throw invalid(
      "prediction",
      `The prediction column '${input.prediction}' is in neither reference nor current`,
    );
  }
  const rows: ColumnDrift[] = [];
  const names = [...reference.keys(), ...[...current.keys()].filter((n) => !reference.has(n))];
  for (const name of names) {
    const role = name === input.prediction ? "prediction" : "feature";
    const ref = reference.get(name);
    const cur = current.get(name);
    if (ref === undefined || cur === undefined || ref.kind !== cur.kind) {
      rows.push(schemaMismatch(name, role, ref, cur));
      continue;
    }
    const choice = resolveChoice(options, name, ref.kind);
    if (choice.stattest !== undefined) requireApplicable(choice.stattest, name, ref.kind);
    rows.push(columnDrift(name, role, prepare(ref), prepare(cur), choice));
  }
  const tested = rows.filter((r) => r.status === "ok").length;
  const drifted = rows.filter((r) => r.drifted).length;
  const share = tested === 0 ? 0 : drifted / tested;
  const driftShare = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  return {
    columns: rows,
    tested,
    drifted,
    share,
    driftShare,
    datasetDrift: tested > 0 && share >= driftShare,
  };
}

function prepare(column: FeatureColumn): PreparedColumn {
  return column.kind === "numeric" ? prepareNumeric(column.values) : prepareCategorical(column);
}

function schemaMismatch(
  name: string,
  role: "feature" | "prediction",
  ref: FeatureColumn | undefined,
  cur: FeatureColumn | undefined,
): ColumnDrift {
  const reason =
    ref === undefined
      ? `'${name}' is in the current data but not in the reference`
      : cur === undefined
        ? `'${name}' is in the reference but missing from the current data`
        : `'${name}' is ${ref.kind} in the reference but ${cur.kind} in the current data`;
  return {
    column: name,
    role,
    kind: (ref ?? cur)!.kind,
    status: "skipped",
    reason,
    stattest: null,
    scoreKind: null,
    score: null,
    statistic: null,
    method: null,
    threshold: null,
    drifted: false,
    uniqueValues: null,
    reference: rowsOf(ref),
    current: rowsOf(cur),
  };
}

function rowsOf(column: FeatureColumn | undefined): ColumnRows {
  if (column === undefined) return { rows: 0, used: 0, missing: 0, infinite: 0 };
  const side = prepare(column);
  return { rows: side.rows, used: side.used, missing: side.missing, infinite: side.infinite };
}

/** Checks one side's columns and indexes them by name. */
function indexColumns(columns: readonly FeatureColumn[], side: string): Map<string, FeatureColumn> {
  const byName = new Map<string, FeatureColumn>();
  let length: number | undefined;
  for (const column of columns) {
    if (byName.has(column.name))
      throw invalid(`${side}.${column.name}`, `The ${side} has two columns named '${column.name}'`);
    byName.set(column.name, column);
    const n = column.kind === "numeric" ? column.values.length : column.codes.length;
    if (length !== undefined && n !== length) {
      throw invalid(
        `${side}.${column.name}`,
        `The ${side} column '${column.name}' has ${n} rows; the others have ${length}`,
      );
    }
    length = n;
    if (column.kind === "categorical") {
      const levels = column.dictionary.length;
      const bad = column.codes.findIndex((c) => c < -1 || c >= levels);
      if (bad >= 0) {
        throw invalid(
          `${side}.${column.name}`,
          `The ${side} column '${column.name}' row ${bad} has code ${column.codes[bad]}, outside its dictionary of ${levels}`,
        );
      }
    }
  }
  return byName;
}

function invalid(field: string, message: string): PlinthError {
  return new PlinthError("MONITORING_INVALID_INPUT", message, { field });
}
