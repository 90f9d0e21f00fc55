import { invalidArgument } from "../../core/errors.ts";

/** Epoch milliseconds from an integer or an ISO-8601 time (`2026-12-06`, `2026-12-06T10:00Z`). */
export function parseTime(text: unknown, field: string): number {
  if (typeof text === "number" && Number.isSafeInteger(text)) return text;
  if (typeof text !== "string" || text === "" || text.length > 64) {
    throw invalidArgument(field, "must be epoch milliseconds or an ISO-8601 time");
  }
  const ms = /^-?\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(ms))
    throw invalidArgument(field, `'${text}' is not epoch milliseconds or an ISO-8601 time`);
  return ms;
}
