import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { PlinthError } from "../../core/errors.ts";
import { datasetFromColumns } from "./dataset-from-columns.ts";
import type { TableReadOptions } from "./table-read-options.ts";
import type { TrainingDataset } from "./training-dataset.ts";

export interface ReadParquetDatasetOptions extends TableReadOptions {
  /** Called after each batch of rows (DuckDB's chunks of 2048). */
  readonly onProgress?: (rowsRead: number, totalRows: number) => void;
}

/** Parquet physical types that become a numeric feature. */
const NUMERIC_TYPES = new Set([
  "TINYINT",
  "SMALLINT",
  "INTEGER",
  "BIGINT",
  "HUGEINT",
  "UTINYINT",
  "USMALLINT",
  "UINTEGER",
  "UBIGINT",
  "FLOAT",
  "DOUBLE",
]);
/** Types that become a categorical feature as text. */
const TEXT_TYPES = new Set(["VARCHAR", "BOOLEAN"]);

/**
 * Reads a Parquet file into a columnar TrainingDataset through DuckDB, column chunk by column
 * chunk (no row objects). Integer, float and decimal columns are numeric (null = missing);
 * text, boolean and enum columns, and numeric columns named in `categorical`, are categorical
 * with codes in order of first appearance, exactly as `readCsvDataset` assigns them, so the
 * same table read from CSV or Parquet gives the same dataset.
 *
 * Throws TRAINING_INVALID_DATA naming the file or column: the file is missing or not Parquet,
 * has no rows, lacks a named column (the message lists its columns), has a column of a type
 * that cannot be a feature (dates, lists, structs: convert them first), or a missing label,
 * weight or group value.
 *
 * @example
 * const train = await readParquetDataset("train.parquet", { label: "is_fraud" });
 * const test = await readParquetDataset("test.parquet", { label: "is_fraud", reference: train });
 */
export async function readParquetDataset(
  path: string,
  options: ReadParquetDatasetOptions,
): Promise<TrainingDataset> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const schema = await describe(connection, path);
    const special = [options.label, options.weight, options.group].filter(
      (n): n is string => n !== undefined,
    );
    const features =
      options.features ??
      options.reference?.features.map((c) => c.name) ??
      [...schema.keys()].filter((n) => !special.includes(n));
    const categorical = new Set(
      options.categorical ??
        options.reference?.features.filter((c) => c.kind === "categorical").map((c) => c.name) ??
        [],
    );
    const wanted = [...new Set([...features, ...special])];
    const asText = wanted.map((name) => {
      const type = schema.get(name);
      if (type === undefined) {
        const list = [...schema.keys()].map((n) => `'${n}'`).join(", ");
        throw invalid(name, `'${path}' has no column '${name}'; its columns are ${list}`);
      }
      const role = special.includes(name) && !features.includes(name);
      if (isNumeric(type)) return !role && categorical.has(name);
      if ((TEXT_TYPES.has(type) || type.startsWith("ENUM")) && !role) return true;
      if (role && name === options.group) return true;
      throw invalid(
        name,
        `Column '${name}' of '${path}' has type ${type}, which cannot be ${role ? `the ${name === options.label ? "label" : "weight"}` : "a feature"}; cast it to a number or text first`,
      );
    });
    const columns = await readColumns(connection, path, wanted, asText, options.onProgress);
    return datasetFromColumns({
      columns,
      label: options.label,
      features,
      categorical: wanted.filter((_, i) => asText[i] === true && features.includes(wanted[i]!)),
      ...(options.weight === undefined ? {} : { weight: options.weight }),
      ...(options.group === undefined ? {} : { group: options.group }),
      ...(options.reference === undefined ? {} : { reference: options.reference }),
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function describe(connection: DuckDBConnection, path: string): Promise<Map<string, string>> {
  try {
    const reader = await connection.runAndReadAll(
      "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet($path))",
      { path },
    );
    return new Map(
      reader.getRows().map(([name, type]) => [String(name), String(type).toUpperCase()]),
    );
  } catch (cause) {
    throw new PlinthError(
      "TRAINING_INVALID_DATA",
      `Cannot read '${path}' as Parquet: ${(cause as Error).message.split("\n")[0]}`,
      { field: "path", cause },
    );
  }
}

function isNumeric(type: string): boolean {
  return NUMERIC_TYPES.has(type) || type.startsWith("DECIMAL");
}

async function readColumns(
  connection: DuckDBConnection,
  path: string,
  names: readonly string[],
  asText: readonly boolean[],
  onProgress: ReadParquetDatasetOptions["onProgress"],
): Promise<Record<string, Float64Array | (string | null)[]>> {
  const count = await connection.runAndReadAll("SELECT count(*) FROM read_parquet($path)", {
    path,
  });
  const totalRows = Number(count.getRows()[0]?.[0] ?? 0);
  if (totalRows === 0) throw invalid("path", `'${path}' has no rows`);
  const select = names
    .map((name, i) => `CAST(${quoteIdentifier(name)} AS ${asText[i] ? "VARCHAR" : "DOUBLE"})`)
    .join(", ");
  const result = await connection.run(`SELECT ${select} FROM read_parquet($path)`, { path });
  const out = names.map((_, i) =>
    asText[i] ? new Array<string | null>(totalRows) : new Float64Array(totalRows),
  );
  let row = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    if (row + n > totalRows)
      throw new Error("unreachable: Parquet row count changed while reading");
    for (let c = 0; c < names.length; c++) {
      const vector = chunk.getColumnVector(c);
      const target = out[c]!;
      if (target instanceof Float64Array) {
        for (let i = 0; i < n; i++) {
          const v = vector.getItem(i) as number | null;
          target[row + i] = v === null ? Number.NaN : v;
        }
      } else {
        for (let i = 0; i < n; i++) target[row + i] = vector.getItem(i) as string | null;
      }
    }
    row += n;
    onProgress?.(row, totalRows);
  }
  return Object.fromEntries(names.map((name, i) => [name, out[i]!]));
}

/** DuckDB identifier quoting: any column name, with `"` doubled. */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function invalid(field: string, message: string): PlinthError {
  return new PlinthError("TRAINING_INVALID_DATA", message, { field });
}
