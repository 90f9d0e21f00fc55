import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { metricSchema, readInput, runRef, wire } from "./request-input.ts";

/** The log-batch body's schema; `readLogBatch` reads every body as this would. */
export const logBatchSchema = z.object({
  ...runRef,
  metrics: z.array(metricSchema).optional(),
  params: wire.keyValues.optional(),
  tags: wire.keyValues.optional(),
});

/** Everything but the metrics, which the plain-JSON path checks by hand. */
const envelopeSchema = logBatchSchema.omit({ metrics: true });

/** A log-batch request's fields, as the schema reads them. */
export type LogBatchInput = z.infer<typeof logBatchSchema>;

/**
 * Reads a log-batch body. A batch carries up to 1,000 metrics, and checking each one
 * through zod cost more than storing it. So metrics in the shape JSON clients send (string
 * key, number value, integer timestamp and step) are checked by hand, and any other body —
 * string-encoded numbers, a wrong type, a missing field — goes through the full schema,
 * which alone words errors. Both paths accept the same bodies and read them the same way.
 */
export function readLogBatch(request: FastifyRequest): LogBatchInput {
  const body = request.body as { metrics?: unknown } | null | undefined;
  const metrics = body?.metrics;
  if (Array.isArray(metrics)) {
    const plain = plainMetrics(metrics);
    const envelope = plain === undefined ? undefined : envelopeSchema.safeParse(body);
    if (envelope?.success) return { ...envelope.data, metrics: plain };
  }
  return readInput(logBatchSchema, request);
}

type WireMetric = z.infer<typeof metricSchema>;

/** The metrics when every one has the plain JSON shape; undefined when any does not. */
function plainMetrics(items: unknown[]): WireMetric[] | undefined {
  const out: WireMetric[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item !== "object" || item === null || Array.isArray(item)) return undefined;
    const { key, value, timestamp, step } = item as Record<string, unknown>;
    if (
      typeof key !== "string" ||
      typeof value !== "number" ||
      Number.isNaN(value) ||
      !Number.isSafeInteger(timestamp) ||
      (step !== undefined && !Number.isSafeInteger(step))
    ) {
      return undefined;
    }
    // As zod does: an optional field is in the output when it is in the input.
    out[i] =
      "step" in item
        ? { key, value, timestamp: timestamp as number, step: step as number | undefined }
        : { key, value, timestamp: timestamp as number };
  }
  return out;
}
