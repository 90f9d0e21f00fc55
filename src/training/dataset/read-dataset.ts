import { readArrowDataset } from "./dataset-from-arrow.ts";
import type { ReadCsvDatasetOptions } from "./read-csv-dataset.ts";
import { readCsvDataset } from "./read-csv-dataset.ts";
import { readParquetDataset } from "./read-parquet-dataset.ts";
import type { TrainingDataset } from "./training-dataset.ts";

/** Options every file reader takes. */
export type ReadDatasetOptions = Omit<ReadCsvDatasetOptions, "onProgress" | "chunkBytes">;

/** The file formats `readDataset` reads. */
export type DatasetFormat = "csv" | "parquet" | "arrow";

/**
 * Reads a training table from a file, choosing the reader by extension: `.parquet`/`.pq`
 * through DuckDB, `.arrow`/`.feather`/`.ipc` as Arrow IPC, anything else as CSV. Every
 * reader gives the same dataset for the same table.
 *
 * @example
 * const train = await readDataset("train.parquet", { label: "is_fraud" });
 */
export function readDataset(path: string, options: ReadDatasetOptions): Promise<TrainingDataset> {
  switch (datasetFormatOf(path)) {
    case "parquet":
      return readParquetDataset(path, options);
    case "arrow":
      return readArrowDataset(path, options);
    case "csv":
      return readCsvDataset(path, options);
  }
}

/** The format `readDataset` reads `path` as. */
export function datasetFormatOf(path: string): DatasetFormat {
  if (/\.(parquet|pq)$/i.test(path)) return "parquet";
  if (/\.(arrow|feather|ipc)$/i.test(path)) return "arrow";
  return "csv";
}
