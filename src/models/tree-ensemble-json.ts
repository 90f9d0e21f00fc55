import {
  invalidPackage,
  readBooleanArray,
  readInteger,
  readObject,
  readString,
  readStringArray,
} from "./json-field-readers.ts";
import type { TreeEnsemble, TreeEnsembleLink } from "./tree-ensemble.ts";
import { validateTreeEnsemble } from "./validate-tree-ensemble.ts";

export const TREE_ENSEMBLE_FORMAT = "plinth.tree-ensemble";
export const TREE_ENSEMBLE_FORMAT_VERSION = 1;

/**
 * The JSON form of a TreeEnsemble. Each typed array is the base64 of its little-endian
 * bytes: compact, and exact for every value (`-0`, subnormals, `1e308`), which decimal JSON
 * numbers are not (`JSON.stringify(-0)` is `"0"`, Infinity becomes `null`).
 */
export interface TreeEnsembleJson {
  readonly format: typeof TREE_ENSEMBLE_FORMAT;
  readonly version: typeof TREE_ENSEMBLE_FORMAT_VERSION;
  readonly featureNames: readonly string[];
  readonly categoricalFeatures: readonly boolean[];
  readonly numOutputs: number;
  readonly link: TreeEnsembleLink;
  readonly numTrees: number;
  readonly numNodes: number;
  /** Base64 of the arrays, keyed by TreeEnsemble member name; `gain` only when present. */
  readonly arrays: Readonly<Record<ArrayName, string>> & { readonly gain?: string };
}

type ArrayName = (typeof ARRAYS)[number][0];
type TypedArrayType =
  | Float64ArrayConstructor
  | Int32ArrayConstructor
  | Uint8ArrayConstructor
  | Uint32ArrayConstructor;

/** Each array's element type and whose count sizes it (`bits`: categoryWords' total). */
const ARRAYS = [
  ["baseScore", Float64Array, "outputs"],
  ["treeRoot", Int32Array, "trees"],
  ["treeOutput", Int32Array, "trees"],
  ["feature", Int32Array, "nodes"],
  ["threshold", Float64Array, "nodes"],
  ["left", Int32Array, "nodes"],
  ["right", Int32Array, "nodes"],
  ["defaultLeft", Uint8Array, "nodes"],
  ["value", Float64Array, "nodes"],
  ["cover", Float64Array, "nodes"],
  ["categoryOffset", Int32Array, "nodes"],
  ["categoryWords", Int32Array, "nodes"],
  ["categoryBits", Uint32Array, "bits"],
] as const satisfies readonly (readonly [keyof TreeEnsemble, TypedArrayType, string])[];

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * A JSON-able object for `ensemble`; `JSON.stringify` it to store the model.
 *
 * @example
 * writeFileSync("model.json", JSON.stringify(treeEnsembleToJson(ensemble)));
 */
export function treeEnsembleToJson(ensemble: TreeEnsemble): TreeEnsembleJson {
  const arrays: Record<string, string> = {};
  for (const [name] of ARRAYS) arrays[name] = encode(ensemble[name]);
  if (ensemble.gain !== undefined) arrays.gain = encode(ensemble.gain);
  return {
    format: TREE_ENSEMBLE_FORMAT,
    version: TREE_ENSEMBLE_FORMAT_VERSION,
    featureNames: [...ensemble.featureNames],
    categoricalFeatures: [...ensemble.categoricalFeatures],
    numOutputs: ensemble.numOutputs,
    link: ensemble.link,
    numTrees: ensemble.treeRoot.length,
    numNodes: ensemble.feature.length,
    arrays: arrays as TreeEnsembleJson["arrays"],
  };
}

/**
 * Reads a TreeEnsemble back from `treeEnsembleToJson`'s output (after `JSON.parse`),
 * checking every field and then the ensemble itself; a malformed document is a
 * `MODELS_INVALID_PACKAGE` naming the field.
 *
 * @example
 * const ensemble = treeEnsembleFromJson(JSON.parse(readFileSync("model.json", "utf8")));
 */
export function treeEnsembleFromJson(json: unknown): TreeEnsemble {
  const doc = readObject(json, "$");
  if (doc.format !== TREE_ENSEMBLE_FORMAT) {
    throw invalidPackage("format", `must be "${TREE_ENSEMBLE_FORMAT}"`);
  }
  readInteger(doc.version, "version", TREE_ENSEMBLE_FORMAT_VERSION, TREE_ENSEMBLE_FORMAT_VERSION);
  const counts = {
    outputs: readInteger(doc.numOutputs, "numOutputs", 1, 2 ** 31 - 1),
    trees: readInteger(doc.numTrees, "numTrees", 0, 2 ** 31 - 1),
    nodes: readInteger(doc.numNodes, "numNodes", 0, 2 ** 31 - 1),
    bits: -1, // any length: offsets into it are checked by validateTreeEnsemble
  };
  const arrayDoc = readObject(doc.arrays, "arrays");
  const arrays: Record<string, unknown> = {};
  for (const [name, type, count] of ARRAYS) {
    arrays[name] = decode(arrayDoc[name], `arrays.${name}`, type, counts[count]);
  }
  if (arrayDoc.gain !== undefined) {
    arrays.gain = decode(arrayDoc.gain, "arrays.gain", Float64Array, counts.nodes);
  }
  const ensemble = {
    featureNames: readStringArray(doc.featureNames, "featureNames"),
    categoricalFeatures: readBooleanArray(doc.categoricalFeatures, "categoricalFeatures"),
    numOutputs: counts.outputs,
    link: readString(doc.link, "link") as TreeEnsembleLink,
    ...arrays,
  } as unknown as TreeEnsemble;
  validateTreeEnsemble(ensemble);
  return ensemble;
}

function encode(array: Float64Array | Int32Array | Uint8Array | Uint32Array): string {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const copy = Buffer.from(bytes);
  if (!LITTLE_ENDIAN) swapBytes(copy, array.BYTES_PER_ELEMENT);
  return copy.toString("base64");
}

function decode<T extends TypedArrayType>(
  value: unknown,
  path: string,
  type: T,
  count: number,
): InstanceType<T> {
  const text = readString(value, path);
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw invalidPackage(path, "must be base64");
  const size = type.BYTES_PER_ELEMENT;
  // Check the length before decoding, so a claimed count cannot make us allocate.
  const byteLength = (text.length / 4) * 3 - (text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0);
  if (byteLength % size !== 0 || (count >= 0 && byteLength !== count * size)) {
    const expected = count >= 0 ? `${count} entries` : `a whole number of ${size}-byte entries`;
    throw invalidPackage(path, `must hold ${expected}, got ${byteLength} bytes`);
  }
  const bytes = Buffer.from(text, "base64");
  if (!LITTLE_ENDIAN) swapBytes(bytes, size);
  const copy = new Uint8Array(byteLength); // aligned: Buffer's pool offset may not be
  copy.set(bytes);
  return new type(copy.buffer) as InstanceType<T>;
}

/** The stored form is little-endian; big-endian hosts swap each element. */
function swapBytes(bytes: Buffer, size: number): void {
  if (size === 4) bytes.swap32();
  else if (size === 8) bytes.swap64();
}
