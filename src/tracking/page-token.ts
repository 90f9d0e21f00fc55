import { PlinthError } from "../core/errors.ts";

/** Page tokens are base64 of `{"offset": N}`, as MLflow's own server issues them. */
export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString("base64");
}

/** The offset a page token names; 0 when there is no token. */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  let offset: unknown;
  try {
    offset = (JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { offset?: unknown })
      .offset;
  } catch {
    offset = undefined;
  }
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
    throw new PlinthError(
      "TRACKING_INVALID_PAGE_TOKEN",
      "Invalid page token: pass back the next_page_token of the previous page unchanged",
      { field: "page_token" },
    );
  }
  return offset;
}

/** Validates `max_results` against a default and a ceiling. */
export function resolveMaxResults(
  value: number | undefined,
  fallback: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new PlinthError(
      "INVALID_ARGUMENT",
      `Invalid value for 'max_results': it must be an integer from 1 to ${max}, got ${value}`,
      { field: "max_results" },
    );
  }
  return value;
}
