import { type FileHandle, open } from "node:fs/promises";
import { PlinthError } from "../../core/errors.ts";
import { type ColumnPlan, CsvColumnSink, type SunkColumn } from "./csv-column-sink.ts";
import { CsvRecordScanner, END_OF_INPUT, FIELD_ESCAPED, NEED_MORE } from "./csv-record-scanner.ts";
import type { TableReadOptions } from "./table-read-options.ts";
import type { FeatureColumn, TrainingDataset } from "./training-dataset.ts";

export interface ReadCsvDatasetOptions extends TableReadOptions {
  /** Called after each chunk read. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Bytes read at a time (default 1 MiB). */
  readonly chunkBytes?: number;
}

const BOM = [0xef, 0xbb, 0xbf];

/**
 * Reads a CSV file with a header row into a columnar TrainingDataset, streaming it in chunks
 * (the file is never one string) through a byte-level parser that handles RFC 4180 quoting:
 * quoted fields may hold commas, `""` quotes and newlines.
 *
 * - Numeric cells: decimal numbers (`1`, `-2.5e-3`, `inf`); a blank cell, `NA`, `NaN` or `nan`
 *   is missing (NaN). Categorical cells: any text, the same tokens mean missing (-1).
 * - Categorical codes are assigned in order of first appearance in the file (the first value
 *   seen is code 0), unless `reference` supplies a dictionary to extend.
 * - Blank lines are skipped; a UTF-8 byte-order mark is ignored.
 *
 * Throws TRAINING_INVALID_DATA naming the file, and the line and column where there is one:
 * the file is missing or empty, has no data rows, repeats a header name, lacks a named column
 * (the message lists the header), has a row with the wrong number of cells, a non-numeric
 * value in a numeric column, or a missing label, weight or group.
 *
 * @example
 * const train = await readCsvDataset("train.csv", { label: "is_fraud", categorical: ["merchant"] });
 * const test = await readCsvDataset("test.csv", { label: "is_fraud", reference: train });
 */
export async function readCsvDataset(
  path: string,
  options: ReadCsvDatasetOptions,
): Promise<TrainingDataset> {
  const handle = await openCsv(path);
  try {
    const totalBytes = (await handle.stat()).size;
    let buffer = Buffer.allocUnsafe(Math.max(1, options.chunkBytes ?? 1 << 20));
    let filled = 0;
    let bytesRead = 0;
    let ended = false;
    let first = true;
    const scanner = new CsvRecordScanner(path);
    let header: string[] | null = null;
    let features: readonly string[] = [];
    let sink: CsvColumnSink | null = null;
    for (;;) {
      if (filled === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, filled);
        buffer = larger;
      }
      const { bytesRead: count } = await handle.read(buffer, filled, buffer.length - filled, null);
      ended = count === 0;
      filled += count;
      bytesRead += count;
      options.onProgress?.(bytesRead, totalBytes);
      scanner.reset(buffer, filled, ended);
      if (bytesRead === filled && filled >= 3 && BOM.every((b, i) => buffer[i] === b))
        scanner.position = 3;
      let status = scanner.scan();
      for (; status >= 0; status = scanner.scan()) {
        if (sink !== null) {
          if (status !== header!.length) throw raggedRow(path, scanner.recordLine, status, header!);
          sink.add(buffer, scanner);
        } else {
          header = decodeHeader(buffer, scanner, status, path);
          const plan = planColumns(header, options, path);
          features = plan.features;
          sink = new CsvColumnSink(path, plan.plans);
        }
      }
      if (first && sink !== null && sink.rows > 0) {
        // Size the columns from the first chunk's bytes per row, plus a margin.
        const perRow = (bytesRead - (filled - scanner.position)) / (sink.rows + 1);
        sink.reserve(Math.ceil((totalBytes / perRow) * 1.05));
        first = false;
      }
      if (status === END_OF_INPUT) break;
      if (status === NEED_MORE) {
        buffer.copy(buffer, 0, scanner.position, filled);
        filled -= scanner.position;
      }
    }
    if (sink === null) throw invalidData(path, `${path} is empty: expected a header row`);
    if (sink.rows === 0) throw invalidData(path, `${path} has a header but no data rows`);
    return assemble(sink.rows, sink.finish(), options, features);
  } finally {
    await handle.close();
  }
}

async function openCsv(path: string): Promise<FileHandle> {
  try {
    return await open(path, "r");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const problem = code === "ENOENT" ? "does not exist" : `cannot be opened (${code ?? cause})`;
    throw new PlinthError("TRAINING_INVALID_DATA", `CSV file ${path} ${problem}`, {
      field: path,
      cause,
    });
  }
}

function decodeHeader(
  buffer: Buffer,
  scanner: CsvRecordScanner,
  count: number,
  path: string,
): string[] {
  const names: string[] = [];
  for (let f = 0; f < count; f++) {
    const name = buffer.toString("utf8", scanner.starts[f]!, scanner.ends[f]!);
    names.push(scanner.kinds[f] === FIELD_ESCAPED ? name.replaceAll('""', '"') : name);
  }
  const seen = new Set<string>();
  const repeated = names.filter((name) => seen.size === seen.add(name).size);
  if (repeated.length > 0) {
    throw invalidData(path, `${path}: header repeats column name(s) ${quoteList(repeated)}`);
  }
  return names;
}

function planColumns(
  header: readonly string[],
  options: ReadCsvDatasetOptions,
  path: string,
): { plans: ColumnPlan[]; features: readonly string[] } {
  const index = new Map(header.map((name, i) => [name, i]));
  const fieldOf = (name: string, role: string): number => {
    const field = index.get(name);
    if (field === undefined) {
      throw new PlinthError(
        "TRAINING_INVALID_DATA",
        `${path} has no ${role} column '${name}'; its header is ${quoteList(header)}`,
        { field: name },
      );
    }
    return field;
  };
  const plans: ColumnPlan[] = [];
  const roles: [string | undefined, string, "numeric" | "categorical"][] = [
    [options.label, "label", "numeric"],
    [options.weight, "weight", "numeric"],
    [options.group, "group", "categorical"],
  ];
  const special = new Set<string>();
  for (const [name, role, kind] of roles) {
    if (name === undefined) continue;
    if (special.has(name)) throw invalidData(name, `Column '${name}' has two roles`);
    special.add(name);
    plans.push({ name, field: fieldOf(name, role), kind, required: true });
  }
  const reference = options.reference;
  const features =
    options.features ??
    reference?.features.map((c) => c.name) ??
    header.filter((name) => !special.has(name));
  const categorical = new Set(
    options.categorical ??
      reference?.features.filter((c) => c.kind === "categorical").map((c) => c.name) ??
      [],
  );
  const featureSet = new Set(features);
  for (const name of categorical) {
    fieldOf(name, "categorical");
    if (!featureSet.has(name)) {
      throw invalidData(name, `Categorical column '${name}' is not one of the features`);
    }
  }
  const planned = new Set<string>();
  for (const name of features) {
    if (special.has(name)) {
      throw invalidData(name, `Column '${name}' cannot be both a feature and label/weight/group`);
    }
    if (planned.has(name)) throw invalidData(name, `Feature '${name}' is listed twice`);
    planned.add(name);
    const field = fieldOf(name, "feature");
    if (!categorical.has(name)) {
      plans.push({ name, field, kind: "numeric", required: false });
      continue;
    }
    const previous = reference?.features.find((c) => c.name === name);
    const dictionary = previous?.kind === "categorical" ? previous.dictionary : undefined;
    plans.push({ name, field, kind: "categorical", required: false, dictionary });
  }
  return { plans, features };
}

function assemble(
  numRows: number,
  columns: Map<string, SunkColumn>,
  options: ReadCsvDatasetOptions,
  features: readonly string[],
): TrainingDataset {
  const numeric = (name: string): Float64Array => {
    const column = columns.get(name);
    if (column?.kind !== "numeric") throw new Error(`column '${name}' was not read as numeric`);
    return column.values;
  };
  const group = options.group === undefined ? undefined : columns.get(options.group);
  return {
    numRows,
    features: features.map((name): FeatureColumn => columns.get(name)!),
    label:
      options.label === undefined
        ? new Float64Array(numRows).fill(Number.NaN)
        : numeric(options.label),
    ...(options.weight === undefined ? {} : { weight: numeric(options.weight) }),
    ...(group?.kind === "categorical" ? { group: group.codes } : {}),
  };
}

function raggedRow(path: string, line: number, count: number, header: readonly string[]) {
  return invalidData(
    path,
    `${path}: line ${line} has ${count} cells; the header has ${header.length} columns`,
  );
}

function invalidData(field: string, message: string): PlinthError {
  return new PlinthError("TRAINING_INVALID_DATA", message, { field });
}

function quoteList(names: readonly string[]): string {
  return names.map((name) => `'${name}'`).join(", ");
}
