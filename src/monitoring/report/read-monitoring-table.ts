import { open, readFile } from "node:fs/promises";
import { DuckDBInstance } from "@duckdb/node-api";
import { tableFromIPC } from "apache-arrow";
import { PlinthError } from "../../core/errors.ts";
import { CsvRecordScanner, FIELD_ESCAPED } from "../../training/dataset/csv-record-scanner.ts";
import { datasetFormatOf, readDataset } from "../../training/dataset/read-dataset.ts";
import type { FeatureColumn } from "../../training/dataset/training-dataset.ts";

/** A table read for monitoring: its columns, with a label and timestamp column taken out. */
export interface MonitoringTable {
  readonly rows: number;
  /** Every column but the label and timestamp (the prediction stays: it is drift-tested). */
  readonly columns: readonly FeatureColumn[];
  /** The label column's values (NaN = not arrived), when named and present. */
  readonly label: Float64Array | null;
  /** The timestamp column as epoch milliseconds (NaN = unparseable), when named and present. */
  readonly timestamp: Float64Array | null;
}

/** Which columns of a monitoring table play which role. */
export interface MonitoringTableOptions {
  /** Columns to read as categories (ignored where the file lacks them). */
  readonly categorical?: readonly string[];
  /** The label column: numeric, NaN or empty where the label has not arrived. */
  readonly label?: string;
  /** The timestamp column: epoch milliseconds or ISO-8601 text. */
  readonly timestamp?: string;
}

/**
 * Reads a CSV, Parquet or Arrow file with plinth's dataset readers for monitoring, where a
 * file may lack columns the other side has (that is a finding, not an error): the header is
 * read first so `categorical` applies only to columns the file has. The label is read as a
 * numeric column so missing labels are NaN rather than refused; the timestamp as text, parsed
 * per distinct value. Throws the readers' TRAINING_INVALID_DATA for unreadable files.
 */
export async function readMonitoringTable(
  path: string,
  options: MonitoringTableOptions = {},
): Promise<MonitoringTable> {
  const names = new Set(await columnNames(path));
  const categorical = [
    ...(options.categorical ?? []),
    ...(options.timestamp === undefined ? [] : [options.timestamp]),
  ].filter((c) => names.has(c));
  const data = await readDataset(path, { categorical: [...new Set(categorical)] });
  let label: Float64Array | null = null;
  let timestamp: Float64Array | null = null;
  const columns: FeatureColumn[] = [];
  for (const column of data.features) {
    if (column.name === options.label) {
      if (column.kind !== "numeric") {
        throw new PlinthError(
          "MONITORING_INVALID_INPUT",
          `The label column '${column.name}' of '${path}' must be numeric`,
          {
            field: "label",
          },
        );
      }
      label = column.values;
    } else if (column.name === options.timestamp) {
      timestamp = parseTimes(column);
    } else columns.push(column);
  }
  return { rows: data.numRows, columns, label, timestamp };
}

/** The header of a CSV file, or the column names of a Parquet or Arrow file. */
export async function columnNames(path: string): Promise<string[]> {
  const format = datasetFormatOf(path);
  try {
    if (format === "parquet") {
      const instance = await DuckDBInstance.create(":memory:");
      const connection = await instance.connect();
      try {
        const reader = await connection.runAndReadAll(
          "SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet($path))",
          { path },
        );
        return reader.getRows().map(([name]) => String(name));
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    }
    if (format === "arrow")
      return tableFromIPC(await readFile(path)).schema.fields.map((f) => f.name);
    return await csvHeader(path);
  } catch (cause) {
    if (cause instanceof PlinthError) throw cause;
    const missing = (cause as NodeJS.ErrnoException).code === "ENOENT";
    const problem = missing
      ? "does not exist"
      : `cannot be read: ${(cause as Error).message.split("\n")[0]}`;
    throw new PlinthError("TRAINING_INVALID_DATA", `'${path}' ${problem}`, { field: path, cause });
  }
}

async function csvHeader(path: string): Promise<string[]> {
  const handle = await open(path, "r");
  try {
    // A header longer than 4 MiB is not a table anyone monitors.
    const buffer = Buffer.alloc(4 << 20);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const start = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
    const scanner = new CsvRecordScanner(path);
    scanner.reset(buffer, bytesRead, bytesRead < buffer.length);
    scanner.position = start;
    const count = scanner.scan();
    if (count < 0) return [];
    return Array.from({ length: count }, (_, f) => {
      const name = buffer.toString("utf8", scanner.starts[f]!, scanner.ends[f]!);
      return scanner.kinds[f] === FIELD_ESCAPED ? name.replaceAll('""', '"') : name;
    });
  } finally {
    await handle.close();
  }
}

/** Epoch milliseconds from numbers or from text (numbers as text, or anything Date.parse reads). */
function parseTimes(column: FeatureColumn): Float64Array {
  if (column.kind === "numeric") return column.values;
  const parsed = column.dictionary.map((text) => {
    const trimmed = text.trim();
    const asNumber = Number(trimmed);
    return trimmed !== "" && Number.isFinite(asNumber) ? asNumber : Date.parse(trimmed);
  });
  return Float64Array.from(column.codes, (code) => (code < 0 ? Number.NaN : parsed[code]!));
}
