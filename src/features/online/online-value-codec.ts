import type { ValueType } from "../definitions/value-type.ts";
import type { FeatureValue } from "./feature-value.ts";
import type { OnlineValue } from "./online-store.ts";

/**
 * Encodes a typed value for an online store: int64 as decimal text (JSON numbers lose
 * precision past 2^53), timestamps as epoch microseconds, a non-finite float as its text,
 * NaN and null as null. `value` must already have its type's JS shape (see FeatureValue);
 * only a NaN float is tolerated, as frame columns use it for missing.
 *
 * @example
 * encodeOnlineValue("int64", 9007199254740993n); // "9007199254740993"
 */
export function encodeOnlineValue(type: ValueType, value: FeatureValue | null): OnlineValue {
  if (value === null) return null;
  switch (type) {
    case "int64":
      return (value as bigint).toString();
    case "float64": {
      const n = value as number;
      if (Number.isFinite(n)) return n;
      return Number.isNaN(n) ? null : String(n);
    }
    case "timestamp":
      return (value as Date).getTime() * 1000;
    default:
      return value as string | boolean;
  }
}

/**
 * Decodes what encodeOnlineValue stored back into the declared type. A stored value of
 * another shape (the view's type changed since it was written) decodes to null rather
 * than to a value of the wrong type.
 */
export function decodeOnlineValue(type: ValueType, stored: OnlineValue): FeatureValue | null {
  if (stored === null) return null;
  switch (type) {
    case "int64":
      return typeof stored === "string" && INTEGER_TEXT.test(stored) ? BigInt(stored) : null;
    case "float64":
      if (typeof stored === "number") return stored;
      return typeof stored === "string" && NON_FINITE.has(stored) ? Number(stored) : null;
    case "string":
      return typeof stored === "string" ? stored : null;
    case "bool":
      return typeof stored === "boolean" ? stored : null;
    case "timestamp":
      // Truncated toward zero, as DuckDB converts microseconds to a Date offline.
      return typeof stored === "number" ? new Date(Math.trunc(stored / 1000)) : null;
  }
}

const INTEGER_TEXT = /^-?\d{1,19}$/;
const NON_FINITE = new Set(["Infinity", "-Infinity"]);
