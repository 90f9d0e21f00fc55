import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { PlinthError } from "../../core/errors.ts";

/**
 * Field schemas that accept MLflow's wire forms: GET sends every value as a string and a
 * list as repeated keys; POST sends JSON numbers for int64 and strings for non-finite doubles.
 */
export const wire = {
  string: z.string({ invalid_type_error: "expected a string" }),
  int64: z.union(
    [
      z.number().int().refine(Number.isSafeInteger, "out of the int64 range plinth accepts"),
      z
        .string()
        .regex(/^-?\d{1,16}$/)
        .transform(Number),
    ],
    { errorMap: () => ({ message: "expected an integer" }) },
  ),
  double: z.union(
    [
      z.number(),
      z.enum(["NaN", "Infinity", "-Infinity"]).transform((s) => Number(s)),
      z
        .string()
        .regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/)
        .transform(Number),
    ],
    { errorMap: () => ({ message: "expected a number" }) },
  ),
  bool: z.union([z.boolean(), z.enum(["true", "false"]).transform((s) => s === "true")], {
    errorMap: () => ({ message: "expected true or false" }),
  }),
  stringList: z.union([z.array(z.string()), z.string().transform((s) => [s])], {
    errorMap: () => ({ message: "expected a list of strings" }),
  }),
  keyValues: z.array(z.object({ key: z.string(), value: z.string() }).passthrough(), {
    invalid_type_error: "expected a list of {key, value} objects",
  }),
  viewType: z.enum(["ACTIVE_ONLY", "DELETED_ONLY", "ALL"]),
};

/** MLflow's run id fields: clients send `run_id`, `run_uuid`, or both. */
export const runRef = { run_id: wire.string.optional(), run_uuid: wire.string.optional() };

/** One metric as log-metric and log-batch carry it. */
export const metricSchema = z.object({
  key: wire.string,
  value: wire.double,
  timestamp: wire.int64,
  step: wire.int64.optional(),
});

/**
 * The request's fields (query string for GET, JSON body otherwise) checked against a
 * schema; the first problem becomes a typed error naming the field, in MLflow's words.
 * Unknown fields are ignored, as MLflow's server ignores them.
 */
export function readInput<S extends z.ZodTypeAny>(schema: S, request: FastifyRequest): z.infer<S> {
  const raw = request.method === "GET" ? request.query : request.body;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new PlinthError("MALFORMED_REQUEST", "The request body must be a JSON object", {
      field: "body",
    });
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join("");
  const missing = issue.code === "invalid_type" && issue.received === "undefined";
  throw new PlinthError(
    "INVALID_ARGUMENT",
    missing
      ? `Missing value for required parameter '${field}'.`
      : `Invalid value for parameter '${field}' supplied: ${issue.message}`,
    { field },
  );
}
