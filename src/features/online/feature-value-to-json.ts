import type { FeatureValue } from "./feature-value.ts";

/**
 * A typed value as JSON for the REST and CLI faces: int64 as a number when exact (as
 * decimal text beyond 2^53), timestamps as ISO-8601, non-finite floats as text.
 *
 * @example
 * featureValueToJson(9007199254740993n); // "9007199254740993"
 */
export function featureValueToJson(value: FeatureValue | null): string | number | boolean | null {
  if (typeof value === "bigint") {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}
