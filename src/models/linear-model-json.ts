import {
  invalidPackage,
  readInteger,
  readObject,
  readString,
  readStringArray,
} from "./json-field-readers.ts";
import { type LinearModel, type LinearModelLink, validateLinearModel } from "./linear-model.ts";

export const LINEAR_MODEL_FORMAT = "plinth.linear-model";
export const LINEAR_MODEL_FORMAT_VERSION = 1;

/**
 * The JSON form of a LinearModel. Each Float64Array is the base64 of its little-endian
 * bytes, so every coefficient round-trips bit for bit (decimal JSON loses `-0` and turns
 * non-finite values into `null`).
 */
export interface LinearModelJson {
  readonly format: typeof LINEAR_MODEL_FORMAT;
  readonly version: typeof LINEAR_MODEL_FORMAT_VERSION;
  readonly featureNames: readonly string[];
  readonly numOutputs: number;
  readonly link: LinearModelLink;
  /** Base64 of the arrays, keyed by LinearModel member name. */
  readonly arrays: Readonly<Record<ArrayName, string>>;
}

type ArrayName = (typeof ARRAYS)[number][0];

/** Each array and whose count sizes it. */
const ARRAYS = [
  ["imputeValue", "features"],
  ["mean", "features"],
  ["scale", "features"],
  ["coefficients", "weights"],
  ["intercept", "outputs"],
] as const satisfies readonly (readonly [keyof LinearModel, string])[];

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * A JSON-able object for `model`; `JSON.stringify` it to store the model.
 *
 * @example
 * writeFileSync("model.json", JSON.stringify(linearModelToJson(model)));
 */
export function linearModelToJson(model: LinearModel): LinearModelJson {
  const arrays: Record<string, string> = {};
  for (const [name] of ARRAYS) arrays[name] = encode(model[name]);
  return {
    format: LINEAR_MODEL_FORMAT,
    version: LINEAR_MODEL_FORMAT_VERSION,
    featureNames: [...model.featureNames],
    numOutputs: model.numOutputs,
    link: model.link,
    arrays: arrays as LinearModelJson["arrays"],
  };
}

/**
 * Reads a LinearModel back from `linearModelToJson`'s output (after `JSON.parse`), checking
 * every field and then the model itself; a malformed document is a `MODELS_INVALID_PACKAGE`
 * naming the field.
 *
 * @example
 * const model = linearModelFromJson(JSON.parse(readFileSync("model.json", "utf8")));
 */
export function linearModelFromJson(json: unknown): LinearModel {
  const doc = readObject(json, "$");
  if (doc.format !== LINEAR_MODEL_FORMAT) {
    throw invalidPackage("format", `must be "${LINEAR_MODEL_FORMAT}"`);
  }
  readInteger(doc.version, "version", LINEAR_MODEL_FORMAT_VERSION, LINEAR_MODEL_FORMAT_VERSION);
  const featureNames = readStringArray(doc.featureNames, "featureNames");
  const numOutputs = readInteger(doc.numOutputs, "numOutputs", 1, 100_000);
  const counts = {
    features: featureNames.length,
    weights: featureNames.length * numOutputs,
    outputs: numOutputs,
  };
  const arrayDoc = readObject(doc.arrays, "arrays");
  const arrays: Record<string, Float64Array> = {};
  for (const [name, count] of ARRAYS) {
    arrays[name] = decode(arrayDoc[name], `arrays.${name}`, counts[count]);
  }
  const model = {
    featureNames,
    numOutputs,
    link: readString(doc.link, "link") as LinearModelLink,
    ...arrays,
  } as unknown as LinearModel;
  validateLinearModel(model);
  return model;
}

function encode(array: Float64Array): string {
  const copy = Buffer.from(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  if (!LITTLE_ENDIAN) copy.swap64();
  return copy.toString("base64");
}

function decode(value: unknown, path: string, count: number): Float64Array {
  const text = readString(value, path);
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw invalidPackage(path, "must be base64");
  // Check the length before decoding, so a claimed count cannot make us allocate.
  const byteLength = (text.length / 4) * 3 - (text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0);
  if (byteLength !== count * 8) {
    throw invalidPackage(path, `must hold ${count} entries, got ${byteLength} bytes`);
  }
  const bytes = Buffer.from(text, "base64");
  if (!LITTLE_ENDIAN) bytes.swap64();
  const copy = new Uint8Array(byteLength); // aligned: Buffer's pool offset may not be
  copy.set(bytes);
  return new Float64Array(copy.buffer);
}
