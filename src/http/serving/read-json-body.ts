import type { IncomingMessage } from "node:http";
import { PlinthError } from "../../core/errors.ts";

/** Decodes strictly: a body that is not valid UTF-8 is refused, never patched with U+FFFD. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a request body of at most `limitBytes` and parses it as JSON. Refuses, with a typed
 * error naming `body`: a declared or actual length above the limit (413, and the rest of the
 * body is not read), a content type other than JSON, invalid UTF-8, and text that is not
 * JSON (including nesting too deep for the parser). Resolves to whatever JSON value was sent;
 * the caller checks its shape.
 *
 * @example
 * const body = await readJsonBody(req, 1024 * 1024);
 */
export function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const type = req.headers["content-type"];
  if (type !== undefined && !isJsonContentType(type)) {
    req.resume();
    return Promise.reject(
      new PlinthError(
        "UNSUPPORTED_MEDIA_TYPE",
        "Bad request: send the body as JSON with Content-Type: application/json",
        { field: "Content-Type" },
      ),
    );
  }
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limitBytes) {
    req.resume();
    return Promise.reject(tooLarge(limitBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      length += chunk.length;
      if (length > limitBytes) {
        done = true;
        chunks.length = 0;
        // Keep draining (and discarding) so the 413 can still be written on this socket.
        reject(tooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on("error", (cause) => {
      if (done) return;
      done = true;
      reject(
        new PlinthError("MALFORMED_REQUEST", "The request body could not be read", {
          field: "body",
          cause,
        }),
      );
    });
    // A client that goes away mid-body may not end the stream: settle rather than leak.
    req.on("close", () => {
      if (done) return;
      done = true;
      reject(
        new PlinthError("MALFORMED_REQUEST", "The connection closed before the body was complete", {
          field: "body",
        }),
      );
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      try {
        resolve(parseJson(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** `application/json`, optionally with parameters (`; charset=utf-8`). */
function isJsonContentType(value: string): boolean {
  const semicolon = value.indexOf(";");
  const base = (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  return base === "application/json" || (base.startsWith("application/") && base.endsWith("+json"));
}

function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0) {
    throw new PlinthError("MALFORMED_REQUEST", "The request body is empty; send a JSON object", {
      field: "body",
    });
  }
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch (cause) {
    throw new PlinthError("MALFORMED_REQUEST", "The request body is not valid UTF-8", {
      field: "body",
      cause,
    });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    // SyntaxError for bad JSON; RangeError when nesting exhausts the parser's stack.
    const why = cause instanceof SyntaxError ? cause.message : "it is nested too deeply";
    throw new PlinthError("MALFORMED_REQUEST", `The request body is not valid JSON: ${why}`, {
      field: "body",
      cause,
    });
  }
}

function tooLarge(limitBytes: number): PlinthError {
  return new PlinthError(
    "PAYLOAD_TOO_LARGE",
    `The request body is larger than the ${limitBytes} bytes the server accepts`,
    { field: "body" },
  );
}
