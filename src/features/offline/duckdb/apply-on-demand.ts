import {
  type DuckDBAppender,
  type DuckDBConnection,
  timestampTZValue,
  timestampValue,
} from "@duckdb/node-api";
import type { FeatureColumnValues } from "../../definitions/on-demand-feature-view.ts";
import { runOnDemandTransform } from "../../definitions/run-on-demand-transform.ts";
import type { Field } from "../../definitions/value-type.ts";
import type { PlannedOnDemand } from "../retrieval-plan.ts";
import { columnBatches } from "./column-batches.ts";
import { duckType } from "./duckdb-types.ts";
import { quoteIdentifier } from "./sql-names.ts";

/**
 * Runs an on-demand transform over the joined rows, batch by batch, and writes its outputs
 * to `target` (`__row_id` plus the planned output columns). This is the one step of a
 * retrieval that runs in JavaScript, because the transform is the user's TypeScript — the
 * same function serving calls with columns of length one.
 */
export async function applyOnDemand(
  reader: DuckDBConnection,
  writer: DuckDBConnection,
  planned: PlannedOnDemand,
  source: string,
  target: string,
  zoned: boolean,
  batchSize: number,
): Promise<void> {
  const odfv = planned.odfv;
  const columns = planned.outputs.map(
    (o) => `${quoteIdentifier(o.column)} ${duckType(o.field.type, zoned)}`,
  );
  await writer.run(
    `CREATE TABLE ${quoteIdentifier(target)} (__row_id BIGINT, ${columns.join(", ")})`,
  );
  const fields: Field[] = [
    { name: "__row_id", type: "int64" },
    ...planned.inputs.map((i) => i.field),
  ];
  const select = planned.inputs.map(
    (i) =>
      `CAST(${quoteIdentifier(i.column)} AS ${duckType(i.field.type, zoned)}) AS ${quoteIdentifier(i.field.name)}`,
  );
  const sql = `SELECT __row_id, ${select.join(", ")} FROM ${quoteIdentifier(source)} ORDER BY __row_id`;
  const appender = await writer.createAppender(target);
  try {
    for await (const batch of columnBatches(reader, sql, fields, batchSize)) {
      const { __row_id: rowIds, ...inputs } = batch.columns;
      const outputs = runOnDemandTransform(odfv, inputs, batch.numRows);
      const checked = planned.outputs.map((o) => outputs[o.field.name]!);
      const ids = rowIds as (bigint | null)[];
      for (let r = 0; r < batch.numRows; r++) {
        appender.appendBigInt(ids[r]!);
        for (let c = 0; c < checked.length; c++)
          appendValue(appender, planned.outputs[c]!.field, checked[c]!, r, zoned);
        appender.endRow();
      }
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** Appends row `row` of a typed column (null, undefined and NaN as NULL); also used by push. */
export function appendValue(
  appender: DuckDBAppender,
  field: Field,
  column: FeatureColumnValues,
  row: number,
  zoned: boolean,
): void {
  const v = column[row];
  if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) {
    appender.appendNull();
    return;
  }
  switch (field.type) {
    case "float64": {
      appender.appendDouble(v as number);
      return;
    }
    case "int64": {
      appender.appendBigInt(v as bigint);
      return;
    }
    case "string": {
      appender.appendVarchar(v as string);
      return;
    }
    case "bool": {
      appender.appendBoolean(v as boolean);
      return;
    }
    case "timestamp": {
      const micros = BigInt((v as Date).getTime()) * 1000n;
      if (zoned) appender.appendTimestampTZ(timestampTZValue(micros));
      else appender.appendTimestamp(timestampValue(micros));
      return;
    }
  }
}
