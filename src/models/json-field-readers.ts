import { PlinthError } from "../core/errors.ts";

/**
 * Readers for model files parsed from JSON: each checks one field's type and throws
 * `MODELS_INVALID_PACKAGE` naming the field's path (`learner.gradient_booster.model.trees[3]`)
 * when it is wrong, so a malformed file is reported where it is malformed.
 */

/** The `MODELS_INVALID_PACKAGE` error for the field at `path`. */
export function invalidPackage(path: string, problem: string): PlinthError {
  return new PlinthError("MODELS_INVALID_PACKAGE", `Model field '${path}' ${problem}`, {
    field: path,
  });
}

/** Reads a plain JSON object (not an array, not null). */
export function readObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidPackage(path, `must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

export function readArray(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw invalidPackage(path, `must be an array, got ${describe(value)}`);
  return value;
}

export function readString(value: unknown, path: string): string {
  if (typeof value !== "string")
    throw invalidPackage(path, `must be a string, got ${describe(value)}`);
  return value;
}

export function readBoolean(value: unknown, path: string): boolean {
  if (typeof value !== "boolean") {
    throw invalidPackage(path, `must be a boolean, got ${describe(value)}`);
  }
  return value;
}

/** Reads an integer in `[min, max]` given as a JSON number. */
export function readInteger(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw invalidPackage(path, `must be an integer, got ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw invalidPackage(path, `must be in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** Reads an integer in `[min, max]` given as a JSON number or a decimal string (`"42"`). */
export function readDecimalInteger(value: unknown, path: string, min: number, max: number): number {
  const parsed = typeof value === "string" && /^-?\d{1,16}$/.test(value) ? Number(value) : value;
  return readInteger(parsed, path, min, max);
}

/** Reads an array of strings. */
export function readStringArray(value: unknown, path: string): string[] {
  return readArray(value, path).map((item, i) => readString(item, `${path}[${i}]`));
}

/** Reads an array of booleans. */
export function readBooleanArray(value: unknown, path: string): boolean[] {
  return readArray(value, path).map((item, i) => readBoolean(item, `${path}[${i}]`));
}

/** A short, safe description of a JSON value for error messages (never the whole value). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "string") {
    return value.length > 40 ? `a string of length ${value.length}` : JSON.stringify(value);
  }
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
