import type { PredictInstance } from "../features/create-vector-builder.ts";
import { clipText, describeValue, invalidInput } from "../invalid-input.ts";

/** A validated predict body. */
export interface PredictBody {
  readonly instances: readonly PredictInstance[];
  /** True for `{instances: [...]}`: the answer is a BatchPrediction. */
  readonly batch: boolean;
  /** How many contributions to return per row; 0 for none. */
  readonly explain: number;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Validates the shape of `{entities, request, explain?}` or `{instances: [...], explain?}`:
 * objects where objects belong, no unknown top-level fields, at most `maxBatch` instances,
 * `explain` an integer in [0, maxExplain]. Field values are checked later, against the
 * model that serves the row.
 *
 * @throws PlinthError `SERVING_INVALID_INPUT` naming the field.
 */
export function parsePredictBody(body: unknown, maxBatch: number, maxExplain: number): PredictBody {
  if (!isObject(body))
    throw invalidInput("body", `the body must be a JSON object, got ${describeValue(body)}`);
  let explain = 0;
  let batch = false;
  let instances: PredictInstance[] | undefined;
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (key === "explain") {
      if (
        typeof value !== "number" ||
        !Number.isInteger(value) ||
        value < 0 ||
        value > maxExplain
      ) {
        throw invalidInput(
          "explain",
          `explain is the number of contributions, an integer from 0 to ${maxExplain}; got ${describeValue(value)}`,
        );
      }
      explain = value;
    } else if (key === "instances") {
      if (!Array.isArray(value))
        throw invalidInput("instances", `instances must be an array, got ${describeValue(value)}`);
      if (value.length === 0)
        throw invalidInput("instances", "instances must hold at least one instance");
      if (value.length > maxBatch) {
        throw invalidInput(
          "instances",
          `a batch holds at most ${maxBatch} instances, got ${value.length}`,
        );
      }
      batch = true;
      instances = value.map((item: unknown, i) => instance(item, `instances.${i}.`));
    } else if (key !== "entities" && key !== "request") {
      throw invalidInput(
        key,
        `unknown field '${clipText(key)}'; send {entities, request, explain?} or {instances: [...], explain?}`,
      );
    }
  }
  if (instances !== undefined) {
    if (Object.hasOwn(body, "entities") || Object.hasOwn(body, "request")) {
      throw invalidInput("instances", "send either instances or entities/request, not both");
    }
    return { instances, batch, explain };
  }
  return { instances: [instance(body, "")], batch, explain };
}

function instance(value: unknown, path: string): PredictInstance {
  if (!isObject(value))
    throw invalidInput(
      path.slice(0, -1),
      `an instance must be an object, got ${describeValue(value)}`,
    );
  if (path !== "") {
    for (const key of Object.keys(value)) {
      if (key !== "entities" && key !== "request")
        throw invalidInput(
          `${path}${key}`,
          `unknown field '${clipText(key)}'; an instance is {entities, request}`,
        );
    }
  }
  return { entities: part(value, "entities", path), request: part(value, "request", path), path };
}

function part(
  value: Record<string, unknown>,
  key: string,
  path: string,
): Readonly<Record<string, unknown>> {
  if (!Object.hasOwn(value, key)) return EMPTY;
  const v = value[key];
  if (!isObject(v))
    throw invalidInput(`${path}${key}`, `${key} must be an object, got ${describeValue(v)}`);
  return v;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
