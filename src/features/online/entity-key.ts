import type { ValueType } from "../definitions/value-type.ts";
import type { FeatureValue } from "./feature-value.ts";

/**
 * The text an online store keys an entity by: its join-key values in the view's order,
 * comma-separated, strings JSON-quoted (so a comma inside one cannot split it) and
 * timestamps as epoch microseconds. Values must be typed already (parseInputValue, or a
 * frame column), so `7`, `7n` and `"7"` for an int64 key all give `7`.
 *
 * @example
 * encodeEntityKey(["string", "int64"], ["u1", 3n]); // '"u1",3'
 */
export function encodeEntityKey(
  types: readonly ValueType[],
  values: readonly (FeatureValue | null)[],
): string {
  if (types.length === 1) return encodeKeyPart(types[0]!, values[0]!);
  let key = "";
  for (let i = 0; i < types.length; i++) {
    if (i > 0) key += ",";
    key += encodeKeyPart(types[i]!, values[i]!);
  }
  return key;
}

/** One join-key value's part of an entity key. */
export function encodeKeyPart(type: ValueType, value: FeatureValue): string {
  switch (type) {
    case "string":
      return JSON.stringify(value);
    case "timestamp":
      return String((value as Date).getTime() * 1000);
    default:
      return String(value);
  }
}
