import { readFile } from "node:fs/promises";
import * as ort from "onnxruntime-node";
import { PlinthError } from "../../core/errors.ts";

/** One output of a run: values widened to float64, row-major, with the tensor's dims. */
export interface OnnxOutput {
  readonly data: Float64Array;
  readonly dims: readonly number[];
}

/** A graph input or output as the model declares it; dims are numbers or symbolic names. */
export interface OnnxValueDescription {
  readonly name: string;
  /** onnxruntime's element type name (`float32`, `float64`, `int64`, ...), or `"non-tensor"`. */
  readonly type: string;
  readonly dims: readonly (number | string)[];
}

/** A loaded ONNX model, scored through onnxruntime's CPU provider. */
export interface OnnxModelSession {
  /** The model's graph inputs, in declaration order. */
  readonly inputs: readonly OnnxValueDescription[];
  /** The model's graph outputs, in declaration order. */
  readonly outputs: readonly OnnxValueDescription[];
  /**
   * Scores `numRows` rows of `numFeatures` values (row-major) fed to the model's only input,
   * converted to the element type it declares. Returns every numeric tensor output by name;
   * non-tensor outputs (sequences, maps) are not fetched.
   */
  run(
    rows: Float64Array | Float32Array,
    numRows: number,
    numFeatures: number,
  ): Promise<Record<string, OnnxOutput>>;
  /** Frees the native session; the session cannot run afterwards. */
  close(): Promise<void>;
}

/**
 * Loads any ONNX model (a file path or the model's bytes) into an onnxruntime session.
 * Throws MODELS_INVALID_ONNX for a missing or unreadable file and for bytes onnxruntime
 * rejects.
 *
 * @example
 * const model = await loadOnnxModel("model.onnx");
 * const { prediction } = await model.run(Float64Array.of(1, 2, 3), 1, 3);
 * await model.close();
 */
export async function loadOnnxModel(pathOrBytes: string | Uint8Array): Promise<OnnxModelSession> {
  const bytes = typeof pathOrBytes === "string" ? await readModelFile(pathOrBytes) : pathOrBytes;
  if (bytes.length === 0) {
    throw new PlinthError("MODELS_INVALID_ONNX", "The ONNX model is empty (0 bytes)", {
      field: "model",
    });
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes);
  } catch (cause) {
    throw new PlinthError(
      "MODELS_INVALID_ONNX",
      `onnxruntime could not load the model: ${firstLine(cause)}`,
      { field: "model", cause },
    );
  }
  return createSession(session);
}

async function readModelFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new PlinthError(
      "MODELS_INVALID_ONNX",
      `Cannot read ONNX model file '${path}': ${firstLine(cause)}`,
      { field: "path", cause },
    );
  }
}

function createSession(session: ort.InferenceSession): OnnxModelSession {
  const inputs = session.inputMetadata.map(describe);
  const outputs = session.outputMetadata.map(describe);
  const fetched = outputs.filter((o) => NUMERIC_TYPES.has(o.type)).map((o) => o.name);
  let closed = false;
  return {
    inputs,
    outputs,
    async run(rows, numRows, numFeatures) {
      if (closed) throw new Error("ONNX session used after close()");
      const input = checkRun(inputs, rows, numRows, numFeatures);
      const tensor = new ort.Tensor(
        input.type as "float32",
        convertRows(rows, input.type) as Float32Array,
        [numRows, numFeatures],
      );
      let results: ort.InferenceSession.ReturnType;
      try {
        results = await session.run({ [input.name]: tensor }, fetched);
      } catch (cause) {
        throw new PlinthError(
          "MODELS_INVALID_INPUT",
          `onnxruntime rejected the input: ${firstLine(cause)}`,
          { field: "rows", cause },
        );
      }
      const out: Record<string, OnnxOutput> = {};
      for (const name of fetched) {
        const t = results[name] as ort.Tensor;
        out[name] = { data: toFloat64(t.data), dims: t.dims.slice() };
      }
      return out;
    },
    async close() {
      if (closed) return;
      closed = true;
      await session.release();
    },
  };
}

const NUMERIC_TYPES = new Set(["float32", "float64", "int32", "int64", "uint8", "int8", "bool"]);
const INPUT_TYPES = new Set(["float32", "float64", "int32", "int64"]);

function describe(m: ort.InferenceSession.ValueMetadata): OnnxValueDescription {
  return m.isTensor
    ? { name: m.name, type: m.type, dims: m.shape.slice() }
    : { name: m.name, type: "non-tensor", dims: [] };
}

function checkRun(
  inputs: readonly OnnxValueDescription[],
  rows: Float64Array | Float32Array,
  numRows: number,
  numFeatures: number,
): OnnxValueDescription {
  const invalid = (field: string, message: string) =>
    new PlinthError("MODELS_INVALID_INPUT", message, { field });
  if (inputs.length !== 1) {
    throw invalid("rows", `run() feeds one input; the model has ${inputs.length}`);
  }
  const input = inputs[0] as OnnxValueDescription;
  if (!INPUT_TYPES.has(input.type)) {
    throw invalid("rows", `The model's input '${input.name}' has element type ${input.type}`);
  }
  if (!(rows instanceof Float64Array || rows instanceof Float32Array)) {
    throw invalid("rows", "Input rows must be a Float64Array or Float32Array");
  }
  for (const [field, n] of [
    ["numRows", numRows],
    ["numFeatures", numFeatures],
  ] as const) {
    if (!Number.isInteger(n) || n < 0) {
      throw invalid(field, `${field} must be a non-negative integer, got ${n}`);
    }
  }
  if (rows.length !== numRows * numFeatures) {
    throw invalid(
      "rows",
      `Input has ${rows.length} values; ${numRows} rows of ${numFeatures} need ${numRows * numFeatures}`,
    );
  }
  if (input.dims.length !== 2) {
    throw invalid("rows", `The model's input '${input.name}' has rank ${input.dims.length}, not 2`);
  }
  const width = input.dims[1];
  if (typeof width === "number" && width !== numFeatures) {
    throw invalid(
      "numFeatures",
      `The model's input '${input.name}' takes ${width} features per row, got ${numFeatures}`,
    );
  }
  return input;
}

function convertRows(rows: Float64Array | Float32Array, type: string): ArrayLike<unknown> {
  if (type === "float64") return rows instanceof Float64Array ? rows : Float64Array.from(rows);
  if (type === "float32") return rows instanceof Float32Array ? rows : Float32Array.from(rows);
  if (type === "int32") return Int32Array.from(rows);
  // int64 inputs: NaN and fractions have no integer form, so they are truncated toward zero
  // and NaN becomes 0, as a float-to-int cast does elsewhere.
  return BigInt64Array.from(rows, (v) => BigInt(Number.isFinite(v) ? Math.trunc(v) : 0));
}

function toFloat64(data: ort.Tensor["data"]): Float64Array {
  if (data instanceof Float64Array) return data.slice();
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    return Float64Array.from(data, (v) => Number(v));
  }
  return Float64Array.from(data as ArrayLike<number>);
}

function firstLine(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.split("\n")[0] ?? text;
}
