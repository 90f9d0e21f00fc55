import { clipText, describeValue, invalidInput } from "../invalid-input.ts";
import type { ServedModel } from "../models/served-model.ts";

/** A validated OIP V2 inference request, as one model's feature rows. */
export interface InferRequest {
  readonly id: string | undefined;
  readonly rows: Float64Array;
  readonly numRows: number;
  /** The manifest outputs to return (default all), by index. */
  readonly outputs: readonly number[];
}

const NUMERIC = new Set([
  "FP64",
  "FP32",
  "FP16",
  "INT64",
  "INT32",
  "INT16",
  "INT8",
  "UINT64",
  "UINT32",
  "UINT16",
  "UINT8",
]);
const TOP_LEVEL = new Set(["id", "inputs", "outputs", "parameters"]);
const TENSOR_FIELDS = new Set(["name", "shape", "datatype", "data", "parameters"]);

/**
 * Reads an OIP V2 `infer` body against a model's signature: either one tensor per model
 * input (shape `[n]` or `[n, 1]`, every input present, no others), or a single tensor of shape
 * `[n, inputs]` in signature order. Numbers for numeric inputs (`FP*`, `INT*`, `UINT*`, `BOOL`),
 * strings (`BYTES`) for category inputs, an unknown category scoring as missing (a single
 * `BYTES` tensor may mix strings for categories with numbers); data flat or
 * nested row-major.
 *
 * @throws PlinthError `SERVING_INVALID_INPUT` naming the field (`inputs.2.data`, ...).
 */
export function parseInferBody(body: unknown, model: ServedModel, maxRows: number): InferRequest {
  if (!isObject(body))
    throw invalidInput("body", `the body must be a JSON object, got ${describeValue(body)}`);
  for (const key of Object.keys(body)) {
    if (!TOP_LEVEL.has(key))
      throw invalidInput(
        key,
        `unknown field '${clipText(key)}'; an inference request is {id?, inputs, outputs?, parameters?}`,
      );
  }
  const id = body.id;
  if (id !== undefined && (typeof id !== "string" || id.length > 256)) {
    throw invalidInput(
      "id",
      `id must be a string of at most 256 characters, got ${describeValue(id)}`,
    );
  }
  const inputs = model.manifest.inputs;
  const width = inputs.length;
  const tensors = body.inputs;
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw invalidInput(
      "inputs",
      `inputs must be a non-empty array of tensors, got ${describeValue(tensors)}`,
    );
  }
  if (tensors.length > width)
    throw invalidInput("inputs", `the model takes ${width} inputs, got ${tensors.length} tensors`);
  const parsed = tensors.map((t, i) => tensor(t, `inputs.${i}`, maxRows));
  const numRows = parsed[0]!.shape[0]!;
  const rows = new Float64Array(numRows * width);
  const byName = new Map(inputs.map((input, j) => [input.name, j]));
  const single = parsed.length === 1 ? parsed[0]! : undefined;
  if (single !== undefined && !byName.has(single.name) && width > 1) {
    if (single.shape.length !== 2 || single.shape[1] !== width) {
      throw invalidInput(
        "inputs.0.shape",
        `a single tensor '${clipText(single.name)}' holds all ${width} inputs: shape [n, ${width}], got [${single.shape.join(", ")}]`,
      );
    }
    for (let k = 0; k < single.data.length; k++) {
      const j = k % width;
      rows[k] = value(model, j, single.data[k], single.datatype, "inputs.0.data");
    }
  } else {
    const seen = new Set<number>();
    parsed.forEach((t, i) => {
      const j = byName.get(t.name);
      if (j === undefined)
        throw invalidInput(`inputs.${i}.name`, `the model has no input '${clipText(t.name)}'`);
      if (seen.has(j)) throw invalidInput(`inputs.${i}.name`, `input '${t.name}' is given twice`);
      seen.add(j);
      if (t.shape[0] !== numRows || (t.shape.length === 2 && t.shape[1] !== 1)) {
        throw invalidInput(
          `inputs.${i}.shape`,
          `input '${t.name}' must have shape [${numRows}] or [${numRows}, 1], got [${t.shape.join(", ")}]`,
        );
      }
      for (let r = 0; r < numRows; r++)
        rows[r * width + j] = value(model, j, t.data[r], t.datatype, `inputs.${i}.data`);
    });
    for (const [name, j] of byName) {
      if (!seen.has(j))
        throw invalidInput(`inputs.${name}`, `the model input '${name}' is missing`);
    }
  }
  return { id, rows, numRows, outputs: requestedOutputs(body.outputs, model) };
}

interface Tensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly datatype: string;
  readonly data: readonly unknown[];
}

function tensor(t: unknown, at: string, maxRows: number): Tensor {
  if (!isObject(t))
    throw invalidInput(
      at,
      `a tensor must be an object {name, shape, datatype, data}, got ${describeValue(t)}`,
    );
  for (const key of Object.keys(t)) {
    if (!TENSOR_FIELDS.has(key))
      throw invalidInput(`${at}.${key}`, `unknown tensor field '${clipText(key)}'`);
  }
  const { name, shape, datatype, data } = t;
  if (typeof name !== "string" || name === "" || name.length > 256)
    throw invalidInput(
      `${at}.name`,
      `a tensor name is a non-empty string, got ${describeValue(name)}`,
    );
  if (
    !Array.isArray(shape) ||
    shape.length < 1 ||
    shape.length > 2 ||
    !shape.every((d) => Number.isSafeInteger(d) && d >= 0)
  ) {
    throw invalidInput(
      `${at}.shape`,
      `shape must be [n] or [n, k] of non-negative integers, got ${describeValue(shape)}`,
    );
  }
  const n = shape[0] as number;
  if (n === 0 || n > maxRows)
    throw invalidInput(`${at}.shape`, `a request holds 1 to ${maxRows} rows, got ${n}`);
  if (
    typeof datatype !== "string" ||
    !(NUMERIC.has(datatype) || datatype === "BOOL" || datatype === "BYTES")
  ) {
    throw invalidInput(
      `${at}.datatype`,
      `datatype must be FP64, FP32, INT64, INT32, BOOL, BYTES, ...; got ${describeValue(datatype)}`,
    );
  }
  const expected = shape.reduce((a: number, b: number) => a * b, 1);
  if (expected > maxRows * 100_000)
    throw invalidInput(`${at}.shape`, `shape [${shape.join(", ")}] is too large`);
  const flat = flatten(data, `${at}.data`, expected);
  if (flat.length !== expected)
    throw invalidInput(
      `${at}.data`,
      `shape [${shape.join(", ")}] needs ${expected} values, got ${flat.length}`,
    );
  return { name, shape, datatype, data: flat };
}

/** Row-major data, flat or nested one level per dimension (at most two). */
function flatten(data: unknown, at: string, limit: number): unknown[] {
  if (!Array.isArray(data))
    throw invalidInput(at, `data must be an array, got ${describeValue(data)}`);
  if (!data.some(Array.isArray)) return data;
  const out: unknown[] = [];
  for (const item of data) {
    if (!Array.isArray(item))
      throw invalidInput(at, "nested data must be arrays at every position of a level");
    if (item.some(Array.isArray))
      throw invalidInput(at, "data nests deeper than the tensor's shape");
    if (out.length + item.length > limit)
      throw invalidInput(at, `data holds more than the shape's ${limit} values`);
    out.push(...item);
  }
  return out;
}

function value(model: ServedModel, j: number, raw: unknown, datatype: string, at: string): number {
  const input = model.manifest.inputs[j]!;
  if (input.type === "category") {
    if (datatype !== "BYTES" || typeof raw !== "string") {
      throw invalidInput(
        at,
        `input '${input.name}' is a category: send BYTES strings, got ${datatype} ${describeValue(raw)}`,
      );
    }
    return model.categoryCodes[j]?.get(raw) ?? Number.NaN;
  }
  if (datatype === "BOOL") {
    if (typeof raw !== "boolean")
      throw invalidInput(at, `BOOL data must be booleans, got ${describeValue(raw)}`);
    return raw ? 1 : 0;
  }
  // A BYTES tensor may still carry numbers: one [n, inputs] tensor mixing categories and numbers.
  if (raw === null) return Number.NaN;
  if (typeof raw !== "number" || !Number.isFinite(raw)) {
    throw invalidInput(
      at,
      `input '${input.name}' takes finite numbers (or null for missing), got ${describeValue(raw)}`,
    );
  }
  return raw;
}

function requestedOutputs(outputs: unknown, model: ServedModel): number[] {
  const names = model.manifest.outputs;
  if (outputs === undefined) return names.map((_, k) => k);
  if (!Array.isArray(outputs) || outputs.length > names.length) {
    throw invalidInput(
      "outputs",
      `outputs must be an array of at most ${names.length} {name} objects`,
    );
  }
  return outputs.map((o: unknown, i) => {
    const name = isObject(o) ? o.name : undefined;
    const k = typeof name === "string" ? names.indexOf(name) : -1;
    if (k < 0)
      throw invalidInput(
        `outputs.${i}.name`,
        `the model's outputs are ${names.join(", ")}; got ${describeValue(name)}`,
      );
    return k;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
