import type { IncomingMessage, ServerResponse } from "node:http";
import { invalidArgument, isPlinthError, PlinthError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import type { ServingRuntime } from "../../serving/serving-runtime.ts";
import { readJsonBody } from "./read-json-body.ts";
import { sendError, sendJson } from "./send-json.ts";

/** Answers a request it owns and returns true, or returns false to let the next handler have it. */
export type ServingHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The routes the serving handler answers, in the OpenAPI document's `METHOD /path` form. */
export const SERVING_HOT_ROUTES: readonly string[] = [
  "POST /api/deployments/:name/predict",
  "GET /v2",
  "GET /v2/health/live",
  "GET /v2/health/ready",
  "GET /v2/models/:name",
  "GET /v2/models/:name/ready",
  "POST /v2/models/:name/infer",
  "GET /v2/models/:name/versions/:version",
  "GET /v2/models/:name/versions/:version/ready",
  "POST /v2/models/:name/versions/:version/infer",
];

const PREDICT_PREFIX = "/api/deployments/";
const PREDICT_SUFFIX = "/predict";
/** Longest caller-given request id kept; it is echoed into every log record. */
const MAX_REQUEST_ID = 128;
const REQUEST_ID = /^[\x21-\x7e]+$/;

/**
 * The model server's hot path as a bare `node:http` handler: `POST
 * /api/deployments/{name}/predict` and the Open Inference Protocol V2 routes under `/v2`.
 * They skip Fastify's per-request machinery (routing tree, hooks, reply object, serializer):
 * read the body under `bodyLimitBytes`, parse, call the runtime, write JSON. Every other
 * path is left to the next handler (the Fastify app). Errors answer `{"error": message,
 * "error_code", "field"}` with the catalogue's status; a bug is logged and answered 500.
 *
 * @example
 * const serving = createServingHandler({ runtime, bodyLimitBytes: 1 << 20, logger });
 * createServer((req, res) => serving(req, res) || fastifyHandler(req, res));
 */
export function createServingHandler(options: {
  runtime: ServingRuntime;
  bodyLimitBytes: number;
  logger: Logger;
}): ServingHandler {
  const { runtime, bodyLimitBytes, logger } = options;
  const onBug = (error: unknown) => logger.error({ err: error }, "unhandled serving error");
  const answer = (res: ServerResponse, work: Promise<readonly [number, unknown]>) => {
    work.then(
      ([status, body]) => sendJson(res, status, body),
      (error: unknown) => sendError(res, error, onBug),
    );
  };

  return function servingHandler(req, res) {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    if (
      path.startsWith(PREDICT_PREFIX) &&
      path.endsWith(PREDICT_SUFFIX) &&
      path.length > PREDICT_PREFIX.length + PREDICT_SUFFIX.length
    ) {
      const raw = path.slice(PREDICT_PREFIX.length, path.length - PREDICT_SUFFIX.length);
      if (raw.includes("/")) return false;
      if (req.method !== "POST") {
        answer(res, Promise.reject(noRoute(req.method, path)));
        return true;
      }
      answer(res, predict(req, raw));
      return true;
    }
    if (path === "/v2" || path.startsWith("/v2/")) {
      answer(res, oip(req, path));
      return true;
    }
    return false;
  };

  /** Reads the body, counting a refusal as the deployment's error (the runtime counts its own). */
  async function bodyOf(req: IncomingMessage, deployment: string): Promise<unknown> {
    try {
      return await readJsonBody(req, bodyLimitBytes);
    } catch (error) {
      runtime.metrics.countError(deployment, isPlinthError(error) ? error.code : "INTERNAL");
      throw error;
    }
  }

  async function predict(
    req: IncomingMessage,
    rawName: string,
  ): Promise<readonly [number, unknown]> {
    const name = decodeSegment(rawName, "name");
    const requestId = requestIdOf(req);
    const body = await bodyOf(req, name);
    const result = await runtime.predict(
      name,
      body,
      requestId === undefined ? undefined : { requestId },
    );
    return [200, result];
  }

  async function oip(req: IncomingMessage, path: string): Promise<readonly [number, unknown]> {
    const method = req.method ?? "GET";
    const parts = path.split("/");
    // parts[0] is "" and parts[1] is "v2".
    if (parts.length === 2) {
      if (method !== "GET") throw noRoute(method, path);
      return [200, runtime.serverMetadata()];
    }
    if (parts[2] === "health" && parts.length === 4 && method === "GET") {
      if (parts[3] === "live") return [200, { live: true }];
      if (parts[3] === "ready") {
        const ready = runtime.ready();
        return [ready ? 200 : 503, { ready }];
      }
    }
    if (parts[2] === "models" && parts.length >= 4) {
      const model = decodeSegment(parts[3]!, "name");
      let rest = parts.slice(4);
      let version: string | undefined;
      if (rest[0] === "versions" && rest.length >= 2) {
        version = decodeSegment(rest[1]!, "version");
        rest = rest.slice(2);
      }
      if (rest.length === 0 && method === "GET") {
        return [200, runtime.modelMetadata(model, version)];
      }
      if (rest.length === 1 && rest[0] === "ready" && method === "GET") {
        if (runtime.modelReady(model, version)) return [200, { name: model, ready: true }];
        // Throws SERVING_MODEL_NOT_FOUND for a name (or version) that is not served at all.
        runtime.modelMetadata(model, version);
        return [503, { name: model, ready: false }];
      }
      if (rest.length === 1 && rest[0] === "infer" && method === "POST") {
        const body = await bodyOf(req, model);
        return [200, await runtime.infer(model, version, body)];
      }
    }
    throw noRoute(method, path);
  }
}

/** A path segment, percent-decoded; a malformed escape is the caller's mistake, not a 500. */
function decodeSegment(raw: string, field: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw invalidArgument(field, "the path segment is not valid percent-encoded UTF-8");
  }
  if (value === "") throw invalidArgument(field, "must not be empty");
  return value;
}

function requestIdOf(req: IncomingMessage): string | undefined {
  const id = req.headers["x-request-id"];
  if (id === undefined) return undefined;
  if (typeof id !== "string" || id.length > MAX_REQUEST_ID || !REQUEST_ID.test(id)) {
    throw invalidArgument(
      "x-request-id",
      `expected one header of 1 to ${MAX_REQUEST_ID} printable ASCII characters`,
    );
  }
  return id;
}

function noRoute(method: string | undefined, path: string): PlinthError {
  return new PlinthError("ENDPOINT_NOT_FOUND", `No route for ${method ?? "GET"} ${path}`);
}
