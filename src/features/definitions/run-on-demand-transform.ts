import { PlinthError } from "../../core/errors.ts";
import type {
  FeatureColumns,
  FeatureColumnValues,
  OnDemandFeatureView,
} from "./on-demand-feature-view.ts";
import type { Field } from "./value-type.ts";

/**
 * Runs an on-demand view's transform and checks what it returns: every schema column,
 * `numRows` long, of its declared JS type. Offline retrieval calls it per batch; online
 * serving calls it with columns of length one — one function, one check, on both paths.
 *
 * Throws FEATURES_TRANSFORM_FAILED naming the view (and the output) when the transform
 * throws or returns a missing, short or wrongly typed column.
 *
 * @example
 * const out = runOnDemandTransform(amountRatio, {
 *   amount: Float64Array.of(240), avg_amount_7d: Float64Array.of(120),
 * }, 1); // { ratio: Float64Array [2] }
 */
export function runOnDemandTransform(
  odfv: OnDemandFeatureView,
  inputs: FeatureColumns,
  numRows: number,
): FeatureColumns {
  let outputs: unknown;
  try {
    outputs = odfv.transform(inputs);
  } catch (cause) {
    throw new PlinthError(
      "FEATURES_TRANSFORM_FAILED",
      `On-demand feature view '${odfv.name}': its transform threw: ${cause instanceof Error ? cause.message : String(cause)}`,
      { field: odfv.name, cause },
    );
  }
  const checked: FeatureColumns = {};
  for (const field of odfv.schema) {
    checked[field.name] = checkOutput(odfv.name, outputs, field, numRows);
  }
  return checked;
}

const JS_TYPE: Record<Exclude<Field["type"], "float64" | "timestamp">, string> = {
  int64: "bigint",
  string: "string",
  bool: "boolean",
};

function checkOutput(
  view: string,
  outputs: unknown,
  field: Field,
  rows: number,
): FeatureColumnValues {
  const fail = (problem: string): PlinthError =>
    new PlinthError(
      "FEATURES_TRANSFORM_FAILED",
      `On-demand feature view '${view}': output '${field.name}' ${problem}`,
      { field: `${view}:${field.name}` },
    );
  if (outputs === null || typeof outputs !== "object")
    throw fail("is missing: the transform returned no object");
  const column = (outputs as Record<string, unknown>)[field.name];
  if (column === undefined) throw fail("is missing from what the transform returned");
  if (field.type === "float64") {
    if (!(column instanceof Float64Array)) throw fail("must be a Float64Array (NaN for missing)");
  } else if (!Array.isArray(column)) {
    throw fail(`must be an array of ${field.type} or null`);
  }
  const values = column as ArrayLike<unknown>;
  if (values.length !== rows) throw fail(`has ${values.length} values for ${rows} input rows`);
  if (field.type !== "float64") {
    for (let i = 0; i < rows; i++) {
      const v = values[i];
      if (v === null) continue;
      const ok =
        field.type === "timestamp"
          ? v instanceof Date && !Number.isNaN(v.getTime())
          : typeof v === JS_TYPE[field.type];
      if (!ok)
        throw fail(
          `holds ${typeof v} ${JSON.stringify(String(v))} at row ${i}; it is declared ${field.type}`,
        );
    }
  }
  return column as FeatureColumnValues;
}
