import {
  type DuckDBConnection,
  type DuckDBDataChunk,
  JSDuckDBValueConverter,
} from "@duckdb/node-api";
import type {
  FeatureColumns,
  FeatureColumnValues,
} from "../../definitions/on-demand-feature-view.ts";
import type { Field } from "../../definitions/value-type.ts";

/** A run of rows as typed columns keyed by field name. */
export interface ColumnBatch {
  readonly numRows: number;
  readonly columns: FeatureColumns;
}

/**
 * Streams a query's result as typed columns, `batchSize` rows at a time (the last batch
 * shorter). The query must select exactly `fields`, in order, already cast to their
 * DuckDB types; values are converted column by column, never into row objects.
 */
export async function* columnBatches(
  connection: DuckDBConnection,
  sql: string,
  fields: readonly Field[],
  batchSize: number,
): AsyncGenerator<ColumnBatch> {
  const result = await connection.stream(sql);
  let pending: DuckDBDataChunk[] = [];
  let pendingRows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    const done = chunk === null || chunk.rowCount === 0;
    if (!done) {
      pending.push(chunk);
      pendingRows += chunk.rowCount;
    }
    while (pendingRows >= batchSize || (done && pendingRows > 0)) {
      const take = Math.min(batchSize, pendingRows);
      yield convert(pending, take, fields);
      pending = dropRows(pending, take);
      pendingRows -= take;
    }
    if (done) return;
  }
}

/** Reads a whole query result as one batch of typed columns. */
export async function readColumns(
  connection: DuckDBConnection,
  sql: string,
  fields: readonly Field[],
): Promise<ColumnBatch> {
  for await (const batch of columnBatches(connection, sql, fields, Number.MAX_SAFE_INTEGER))
    return batch;
  return { numRows: 0, columns: Object.fromEntries(fields.map((f) => [f.name, emptyColumn(f)])) };
}

/** An empty column of a field's JS type. */
export function emptyColumn(field: Field, length = 0): FeatureColumnValues {
  return field.type === "float64" ? new Float64Array(length) : new Array(length).fill(null);
}

interface ChunkSlice {
  readonly chunk: DuckDBDataChunk;
  readonly offset: number;
}

// Chunks are kept whole and sliced by offset so a batch boundary inside a chunk costs no copy.
const offsets = new WeakMap<DuckDBDataChunk, number>();

function convert(
  chunks: readonly DuckDBDataChunk[],
  rows: number,
  fields: readonly Field[],
): ColumnBatch {
  const slices: ChunkSlice[] = chunks.map((chunk) => ({ chunk, offset: offsets.get(chunk) ?? 0 }));
  const columns: FeatureColumns = {};
  fields.forEach((field, c) => {
    const out = emptyColumn(field, rows);
    let at = 0;
    for (const { chunk, offset } of slices) {
      if (at >= rows) break;
      const values = chunk.convertColumnValues(c, JSDuckDBValueConverter);
      const n = Math.min(values.length - offset, rows - at);
      if (out instanceof Float64Array) {
        for (let i = 0; i < n; i++) {
          const v = values[offset + i];
          out[at + i] = v === null || v === undefined ? Number.NaN : (v as number);
        }
      } else {
        const target = out as unknown[];
        for (let i = 0; i < n; i++) target[at + i] = values[offset + i] ?? null;
      }
      at += n;
    }
    columns[field.name] = out;
  });
  return { numRows: rows, columns };
}

function dropRows(chunks: DuckDBDataChunk[], rows: number): DuckDBDataChunk[] {
  let left = rows;
  const rest: DuckDBDataChunk[] = [];
  for (const chunk of chunks) {
    const offset = offsets.get(chunk) ?? 0;
    const available = chunk.rowCount - offset;
    if (left >= available) {
      left -= available;
      continue;
    }
    offsets.set(chunk, offset + left);
    left = 0;
    rest.push(chunk);
  }
  return rest;
}
