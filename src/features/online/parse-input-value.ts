import type { ValueType } from "../definitions/value-type.ts";
import type { FeatureValue } from "./feature-value.ts";

/** What parseInputValue answers for a value that does not fit its declared type. */
export const INVALID = Symbol("invalid");

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^-?\d{1,19}$/;
// ISO-8601 date-time; without a zone it is read as UTC, as naive source timestamps are.
const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * Reads a caller's value (an entity key, a pushed column, a request field) as its declared
 * type: int64 from a bigint, a safe integer or decimal text within range; float64 from a
 * number (NaN is null); timestamps from a Date or ISO-8601 text (UTC when it has no zone).
 * Answers null for null or undefined and INVALID for anything else, so the caller can name
 * the field in its own error. Nothing is coerced silently: `"7"` is not a float, `1.5` not
 * an int64, `"true"` not a bool.
 *
 * @example
 * parseInputValue("int64", 7); // 7n
 * parseInputValue("timestamp", "2024-05-01 08:00:00"); // Date 2024-05-01T08:00:00Z
 */
export function parseInputValue(
  type: ValueType,
  raw: unknown,
): FeatureValue | null | typeof INVALID {
  if (raw === null || raw === undefined) return null;
  switch (type) {
    case "int64": {
      let n: bigint;
      if (typeof raw === "bigint") n = raw;
      else if (typeof raw === "number" && Number.isSafeInteger(raw)) n = BigInt(raw);
      else if (typeof raw === "string" && INTEGER_TEXT.test(raw)) n = BigInt(raw);
      else return INVALID;
      return n < INT64_MIN || n > INT64_MAX ? INVALID : n;
    }
    case "float64":
      if (typeof raw !== "number") return INVALID;
      return Number.isNaN(raw) ? null : raw;
    case "string":
      return typeof raw === "string" ? raw : INVALID;
    case "bool":
      return typeof raw === "boolean" ? raw : INVALID;
    case "timestamp":
      return parseTimestamp(raw);
  }
}

function parseTimestamp(raw: unknown): Date | typeof INVALID {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? INVALID : raw;
  if (typeof raw !== "string" || raw.length > 40 || !ISO_TIME.test(raw)) return INVALID;
  const text = raw.includes(" ") ? raw.replace(" ", "T") : raw;
  const ms = Date.parse(HAS_ZONE.test(text) || !text.includes("T") ? text : `${text}Z`);
  return Number.isNaN(ms) ? INVALID : new Date(ms);
}
