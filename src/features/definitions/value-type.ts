/**
 * The types a join key, feature or request field can have. Each maps to one DuckDB type
 * offline and one JS column type in frames and on-demand transforms:
 *
 * | type | DuckDB | frame / transform column |
 * |---|---|---|
 * | `int64` | BIGINT | `(bigint \| null)[]` |
 * | `float64` | DOUBLE | `Float64Array`, NaN = missing |
 * | `string` | VARCHAR | `(string \| null)[]` |
 * | `bool` | BOOLEAN | `(boolean \| null)[]` |
 * | `timestamp` | TIMESTAMP or TIMESTAMPTZ | `(Date \| null)[]` |
 */
export type ValueType = "int64" | "float64" | "string" | "bool" | "timestamp";

/** Every ValueType, for validation and messages. */
export const VALUE_TYPES: readonly ValueType[] = [
  "int64",
  "float64",
  "string",
  "bool",
  "timestamp",
];

/** A named, typed column: a join key, a feature, or a request field. */
export interface Field {
  readonly name: string;
  readonly type: ValueType;
}
