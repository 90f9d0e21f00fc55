import type { ValueType } from "../definitions/value-type.ts";

/**
 * One typed feature value online, following its ValueType: `int64` → bigint, `float64` →
 * number, `string`, `bool` → boolean, `timestamp` → Date. Missing values are null (a
 * float64 is never NaN here, unlike frame columns).
 */
export type FeatureValue = bigint | number | string | boolean | Date;

/** The JS type a ValueType's values have online, for messages. */
export const JS_TYPE_OF: Readonly<Record<ValueType, string>> = {
  int64: "an integer",
  float64: "a number",
  string: "a string",
  bool: "a boolean",
  timestamp: "a timestamp (ISO-8601 text or Date)",
};
