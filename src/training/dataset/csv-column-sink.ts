import { PlinthError } from "../../core/errors.ts";
import { ByteCategoricalEncoder } from "./byte-categorical-encoder.ts";
import { type CsvRecordScanner, FIELD_ESCAPED } from "./csv-record-scanner.ts";
import { isMissingCell, isMissingToken, parseCsvNumber } from "./parse-csv-number.ts";

/** A column to keep: its index in the header and how to store it. */
export interface ColumnPlan {
  readonly name: string;
  readonly field: number;
  readonly kind: "numeric" | "categorical";
  /** Label, weight and group may not have missing values. */
  readonly required: boolean;
  /** Categorical only: the dictionary to extend (a training set's). */
  readonly dictionary?: readonly string[];
}

/** A finished column: values (numeric) or codes and dictionary (categorical). */
export type SunkColumn =
  | { readonly name: string; readonly kind: "numeric"; readonly values: Float64Array }
  | {
      readonly name: string;
      readonly kind: "categorical";
      readonly codes: Int32Array;
      readonly dictionary: string[];
    };

/**
 * Converts scanned CSV records into typed columns that grow geometrically. Numeric and
 * categorical columns are kept in separate lists so the per-record loops stay monomorphic;
 * columns not in the plan are never decoded.
 */
export class CsvColumnSink {
  rows = 0;
  private capacity = 1024;
  private readonly source: string;
  private readonly numericPlans: ColumnPlan[];
  private readonly numericFields: Int32Array;
  private numericValues: Float64Array[];
  private readonly categoricalPlans: ColumnPlan[];
  private readonly categoricalFields: Int32Array;
  private categoricalCodes: Int32Array[];
  private readonly encoders: ByteCategoricalEncoder[];

  constructor(source: string, plans: readonly ColumnPlan[]) {
    this.source = source;
    this.numericPlans = plans.filter((p) => p.kind === "numeric");
    this.categoricalPlans = plans.filter((p) => p.kind === "categorical");
    this.numericFields = Int32Array.from(this.numericPlans, (p) => p.field);
    this.categoricalFields = Int32Array.from(this.categoricalPlans, (p) => p.field);
    this.numericValues = this.numericPlans.map(() => new Float64Array(this.capacity));
    this.categoricalCodes = this.categoricalPlans.map(() => new Int32Array(this.capacity));
    this.encoders = this.categoricalPlans.map((p) => new ByteCategoricalEncoder(p.dictionary));
  }

  /** Stores the scanner's current record, whose bytes are in `bytes`. */
  add(bytes: Buffer, scanner: CsvRecordScanner): void {
    if (this.rows === this.capacity) this.grow();
    const row = this.rows;
    const { starts, ends, kinds } = scanner;
    const numericFields = this.numericFields;
    for (let k = 0; k < numericFields.length; k++) {
      const f = numericFields[k]!;
      const escaped = kinds[f] === FIELD_ESCAPED;
      const value = escaped ? Number.NaN : parseCsvNumber(bytes, starts[f]!, ends[f]!);
      if (Number.isNaN(value)) {
        const missing = !escaped && isMissingCell(bytes, starts[f]!, ends[f]!);
        if (!missing || this.numericPlans[k]!.required) {
          throw this.badValue(this.numericPlans[k]!, bytes, scanner, f, !missing);
        }
      }
      this.numericValues[k]![row] = value;
    }
    const categoricalFields = this.categoricalFields;
    for (let k = 0; k < categoricalFields.length; k++) {
      const f = categoricalFields[k]!;
      let cell = bytes;
      let start = starts[f]!;
      let end = ends[f]!;
      if (kinds[f] === FIELD_ESCAPED) {
        cell = Buffer.from(bytes.toString("utf8", start, end).replaceAll('""', '"'));
        start = 0;
        end = cell.length;
      }
      let code = -1;
      if (!isMissingToken(cell, start, end)) code = this.encoders[k]!.encode(cell, start, end);
      else if (this.categoricalPlans[k]!.required) {
        throw this.badValue(this.categoricalPlans[k]!, bytes, scanner, f, false);
      }
      this.categoricalCodes[k]![row] = code;
    }
    this.rows = row + 1;
  }

  /**
   * The columns, trimmed to the rows stored, keyed by column name. Arrays at most 1/8 larger
   * than needed are returned as views rather than copied.
   */
  finish(): Map<string, SunkColumn> {
    const n = this.rows;
    const trim = <T extends Float64Array | Int32Array>(array: T): T =>
      (this.capacity - n <= this.capacity / 8 ? array.subarray(0, n) : array.slice(0, n)) as T;
    const columns = new Map<string, SunkColumn>();
    this.numericPlans.forEach((plan, k) => {
      const values = trim(this.numericValues[k]!);
      columns.set(plan.name, { name: plan.name, kind: "numeric", values });
    });
    this.categoricalPlans.forEach((plan, k) => {
      const codes = trim(this.categoricalCodes[k]!);
      const dictionary = this.encoders[k]!.dictionary;
      columns.set(plan.name, { name: plan.name, kind: "categorical", codes, dictionary });
    });
    return columns;
  }

  /** Makes room for `rows` rows in total, so a good estimate saves the doubling copies. */
  reserve(rows: number): void {
    if (rows > this.capacity) this.resize(rows);
  }

  private grow(): void {
    this.resize(this.capacity * 2);
  }

  private resize(capacity: number): void {
    this.capacity = capacity;
    this.numericValues = this.numericValues.map((old) => {
      const values = new Float64Array(capacity);
      values.set(old.subarray(0, this.rows));
      return values;
    });
    this.categoricalCodes = this.categoricalCodes.map((old) => {
      const codes = new Int32Array(capacity);
      codes.set(old.subarray(0, this.rows));
      return codes;
    });
  }

  private badValue(
    plan: ColumnPlan,
    bytes: Buffer,
    scanner: CsvRecordScanner,
    field: number,
    notNumber: boolean,
  ): PlinthError {
    const text = bytes.toString("utf8", scanner.starts[field]!, scanner.ends[field]!);
    const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    const problem = notNumber
      ? `has non-numeric value '${shown}' in numeric column '${plan.name}'${plan.required ? "" : " (list the column as categorical to read it as categories)"}`
      : `has no value in column '${plan.name}', which may not have missing values`;
    return new PlinthError(
      "TRAINING_INVALID_DATA",
      `${this.source}: line ${scanner.recordLine} ${problem}`,
      { field: plan.name },
    );
  }
}
