import { invalidArgument, PlinthError } from "../core/errors.ts";

/** MLflow's limits (mlflow/utils/validation.py, 2.12). */
export const LIMITS = Object.freeze({
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 5000,
  experimentNameLength: 500,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchTotal: 1000,
});

const KEY_PATTERN = /^[/\w.\- :]*$/;

/**
 * Metric, param and tag keys: word characters, `/ . - :` and spaces, at most 250 long, and
 * path-like keys must be normalised (no `a//b`, `../x`, `/a`), as MLflow requires.
 */
export function validateKey(kind: "metric" | "param" | "tag", key: unknown, field: string): string {
  if (typeof key !== "string" || key === "") {
    throw invalidArgument(field, `a ${kind} key must be a non-empty string`);
  }
  if (key.length > LIMITS.keyLength) {
    throw invalidArgument(
      field,
      `${kind} key '${key.slice(0, 40)}…' is longer than ${LIMITS.keyLength} characters`,
    );
  }
  if (!KEY_PATTERN.test(key)) {
    throw invalidArgument(
      field,
      `${kind} key '${key}' may contain only alphanumerics, underscores, dashes, periods, spaces, colons and slashes`,
    );
  }
  const segments = key.split("/");
  if (key.startsWith("/") || segments.some((s) => s === "" || s === "." || s === "..")) {
    throw invalidArgument(field, `${kind} key '${key}' must be a normalised relative path`);
  }
  return key;
}

export function validateStringValue(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== "string") throw invalidArgument(field, "expected a string");
  if (value.length > maxLength) {
    throw invalidArgument(field, `value is ${value.length} characters; the limit is ${maxLength}`);
  }
  return value;
}

/** An integer millisecond time or step: a safe integer. */
export function validateInteger(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw invalidArgument(field, `expected an integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function validateMetricValue(value: unknown, field: string): number {
  if (typeof value !== "number") {
    throw invalidArgument(field, `a metric value must be a number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Experiment ids are decimal integers sent as strings. */
export function parseExperimentId(value: unknown, field = "experiment_id"): number {
  if (typeof value === "string" && /^\d{1,15}$/.test(value)) return Number(value);
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  throw new PlinthError(
    "INVALID_ARGUMENT",
    `Invalid value for '${field}': experiment ids are non-negative integers, got ${JSON.stringify(value)}`,
    { field },
  );
}
