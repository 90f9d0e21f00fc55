import type { ServerResponse } from "node:http";
import { isPlinthError, PlinthError } from "../../core/errors.ts";

/** Writes `body` as a JSON response with an exact Content-Length (no chunked framing). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * The body the serving routes answer errors with: the Open Inference Protocol's
 * `{"error": message}`, plus plinth's `error_code` and `field` so callers can branch on them.
 */
export function servingErrorBody(e: PlinthError): {
  error: string;
  error_code: string;
  field?: string;
} {
  return e.field === undefined
    ? { error: e.message, error_code: e.code }
    : { error: e.message, error_code: e.code, field: e.field };
}

/**
 * Answers a failure: a PlinthError with its catalogue status; anything else is a bug,
 * reported through `onBug` and answered 500 without its stack. Returns the error answered.
 */
export function sendError(
  res: ServerResponse,
  error: unknown,
  onBug: (error: unknown) => void,
): PlinthError {
  const e = isPlinthError(error)
    ? error
    : new PlinthError("INTERNAL", "Internal error: see the server log", { cause: error });
  if (e.code === "INTERNAL") onBug(error);
  if (res.headersSent) {
    res.destroy();
    return e;
  }
  // A request refused before its body was read (413) must not keep the connection: the
  // client may still be sending the rest of it.
  if (e.code === "PAYLOAD_TOO_LARGE") res.shouldKeepAlive = false;
  sendJson(res, e.httpStatus, servingErrorBody(e));
  return e;
}
