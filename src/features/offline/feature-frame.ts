import type { FeatureColumnValues } from "../definitions/on-demand-feature-view.ts";
import type { Field } from "../definitions/value-type.ts";

/**
 * A columnar result: one array per column, in `schema` order, each `numRows` long. Column
 * types follow ValueType (`float64` → Float64Array with NaN for missing; the others JS
 * arrays with `null`), the same shapes an on-demand transform receives.
 */
export interface FeatureFrame {
  readonly numRows: number;
  readonly schema: readonly Field[];
  readonly columns: Readonly<Record<string, FeatureColumnValues>>;
}
