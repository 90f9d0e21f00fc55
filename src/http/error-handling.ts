import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isPlinthError, PlinthError } from "../core/errors.ts";

/**
 * Maps every failure to a typed error body with the catalogue's status: MLflow's
 * `{error_code, message}` under /api/2.0 (MLflow clients branch on those codes), and
 * plinth's `{error_code, message, field}` elsewhere. A bug is logged with its stack and
 * answered 500 without one.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const e = toPlinthError(error);
    if (e.code === "INTERNAL") request.log.error({ err: error }, "unhandled error");
    return reply.status(e.httpStatus).send(errorBody(e, request.url));
  });
  app.setNotFoundHandler((request, reply) => {
    const e = new PlinthError(
      "ENDPOINT_NOT_FOUND",
      `No route for ${request.method} ${request.url.split("?")[0]}`,
    );
    return reply.status(e.httpStatus).send(errorBody(e, request.url));
  });
}

function errorBody(e: PlinthError, url: string) {
  return url.startsWith("/api/2.0/")
    ? { error_code: e.mlflowCode, message: e.message }
    : { error_code: e.code, message: e.message, field: e.field };
}

/** Fastify's own request errors, translated into the catalogue. */
export function toPlinthError(error: unknown): PlinthError {
  if (isPlinthError(error)) return error;
  const e = error as Partial<FastifyError> & { name?: string };
  switch (e.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new PlinthError(
        "UNSUPPORTED_MEDIA_TYPE",
        "Bad request: send the body as JSON with Content-Type: application/json",
        { field: "Content-Type" },
      );
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new PlinthError(
        "PAYLOAD_TOO_LARGE",
        "The request body is larger than the server accepts",
        {
          field: "body",
        },
      );
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new PlinthError("MALFORMED_REQUEST", `Malformed request body: ${e.message}`, {
        field: "body",
      });
  }
  if (e.statusCode === 413) {
    return new PlinthError(
      "PAYLOAD_TOO_LARGE",
      "The request body is larger than the server accepts",
      {
        field: "body",
      },
    );
  }
  if (e.statusCode === 400 && (e.name === "SyntaxError" || e.code?.startsWith("FST_ERR_CTP"))) {
    return new PlinthError("MALFORMED_REQUEST", `Malformed request body: ${e.message}`, {
      field: "body",
    });
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return new PlinthError("MALFORMED_REQUEST", e.message ?? "Bad request");
  }
  return new PlinthError("INTERNAL", "Internal error: see the server log", { cause: error });
}
