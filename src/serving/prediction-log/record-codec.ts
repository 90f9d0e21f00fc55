import { PlinthError } from "../../core/errors.ts";
import type { PredictionRecord } from "./prediction-record.ts";

/**
 * JSON has no NaN or ±Infinity, and a feature vector may hold them (a missing numeric
 * feature is NaN), so a non-finite number is written as `{"$n":"NaN"}` — an object, which
 * no logged value can otherwise be, so the round trip is exact and `null` stays `null`.
 */
const NON_FINITE_KEY = "$n";

function encodeNumber(x: number): number | { $n: string } {
  if (isPlainJsonNumber(x)) return x;
  // -0 too: JSON writes it as 0, and an exact round trip keeps it.
  return { [NON_FINITE_KEY]: Object.is(x, -0) ? "-0" : String(x) } as { $n: string };
}

function isPlainJsonNumber(x: number): boolean {
  return x - x === 0 && (x !== 0 || 1 / x > 0);
}

function hasNonFinite(values: Readonly<Record<string, unknown>>): boolean {
  for (const key in values) {
    const v = values[key];
    if (typeof v === "number") {
      if (!isPlainJsonNumber(v)) return true;
    } else if (Array.isArray(v)) {
      for (const x of v) if (typeof x === "number" && !isPlainJsonNumber(x)) return true;
    }
  }
  return false;
}

function encodeValues(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in values) {
    const v = values[key];
    out[key] =
      typeof v === "number"
        ? encodeNumber(v)
        : Array.isArray(v)
          ? v.map((x) => (typeof x === "number" ? encodeNumber(x) : x))
          : v;
  }
  return out;
}

/**
 * One record as one line of JSON (no trailing newline). Only the record's own fields are
 * written, in a fixed order; throws a plain TypeError for values JSON cannot hold (BigInt),
 * which the writer counts as rejected.
 */
export function encodeRecord(r: PredictionRecord): string {
  const features = hasNonFinite(r.features) ? encodeValues(r.features) : r.features;
  const outputs = hasNonFinite(r.outputs) ? encodeValues(r.outputs) : r.outputs;
  return JSON.stringify({
    requestId: r.requestId,
    at: r.at,
    deployment: r.deployment,
    variant: r.variant,
    shadow: r.shadow,
    modelName: r.modelName,
    modelVersion: r.modelVersion,
    entities: r.entities,
    features,
    outputs,
    latencyMs: encodeNumber(r.latencyMs),
  });
}

/** Why a value cannot be a logged record; undefined when it is one. */
function recordProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not an object";
  const r = value as Record<string, unknown>;
  for (const field of ["requestId", "deployment", "variant", "modelName", "modelVersion"]) {
    if (typeof r[field] !== "string") return `'${field}' is not a string`;
  }
  if (typeof r.at !== "number" || !Number.isFinite(r.at)) return "'at' is not a finite number";
  if (typeof r.shadow !== "boolean") return "'shadow' is not a boolean";
  for (const field of ["entities", "features", "outputs"]) {
    const v = r[field];
    if (typeof v !== "object" || v === null || Array.isArray(v))
      return `'${field}' is not an object`;
  }
  return undefined;
}

function decodeNumber(v: unknown, where: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "object" && v !== null && NON_FINITE_KEY in v) {
    const text = (v as Record<string, unknown>)[NON_FINITE_KEY];
    if (text === "NaN") return Number.NaN;
    if (text === "Infinity") return Number.POSITIVE_INFINITY;
    if (text === "-Infinity") return Number.NEGATIVE_INFINITY;
    if (text === "-0") return -0;
  }
  throw new Error(`${where} is not a number`);
}

/**
 * A parsed line back into a record, checking its shape. The freshly parsed object is checked
 * and returned in place (only `{"$n": ...}` markers are replaced by their numbers), so reading
 * allocates nothing per record beyond what `JSON.parse` did.
 *
 * @throws PlinthError `PREDICTION_LOG_INVALID_SEGMENT` naming `where` (segment and line).
 */
export function decodeRecord(value: unknown, where: string): PredictionRecord {
  const problem = recordProblem(value);
  if (problem !== undefined) throw invalidSegment(where, problem);
  const r = value as Record<string, unknown> & {
    features: Record<string, unknown>;
    outputs: Record<string, unknown>;
    entities: Record<string, unknown>;
  };
  try {
    const features = r.features;
    for (const key in features) {
      const v = features[key];
      if (typeof v !== "number" && typeof v !== "string" && v !== null) {
        features[key] = decodeNumber(v, `features.${key}`);
      }
    }
    const outputs = r.outputs;
    for (const key in outputs) {
      const v = outputs[key];
      if (typeof v === "number") continue;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          if (typeof v[i] !== "number") v[i] = decodeNumber(v[i], `outputs.${key}[${i}]`);
        }
      } else outputs[key] = decodeNumber(v, `outputs.${key}`);
    }
    const entities = r.entities;
    for (const key in entities) {
      const v = entities[key];
      if (typeof v !== "string" && typeof v !== "number") {
        throw new Error(`entities.${key} is not a string or number`);
      }
    }
    if (typeof r.latencyMs !== "number") r.latencyMs = decodeNumber(r.latencyMs, "latencyMs");
    return r as unknown as PredictionRecord;
  } catch (cause) {
    throw invalidSegment(where, (cause as Error).message);
  }
}

export function invalidSegment(where: string, problem: string): PlinthError {
  return new PlinthError(
    "PREDICTION_LOG_INVALID_SEGMENT",
    `Prediction log segment ${where}: ${problem}`,
    { field: where },
  );
}
