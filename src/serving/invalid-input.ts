import { PlinthError } from "../core/errors.ts";

/** Field names come from the caller: kept short in messages and error fields. */
export function clipText(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** A SERVING_INVALID_INPUT error naming `field` (clipped: it may be the caller's text). */
export function invalidInput(field: string, problem: string): PlinthError {
  const f = clipText(field);
  return new PlinthError("SERVING_INVALID_INPUT", `Invalid field '${f}': ${problem}`, { field: f });
}

/** A short description of a caller's value for messages: its type, and the value when small. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(clipText(value))}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${clipText(String(value))}`;
}
