import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { encodeOnnxModel, ONNX_ELEM_TYPE } from "./encode-onnx-model.ts";
import { loadOnnxModel } from "./load-onnx-model.ts";
import { rejectsWithCode } from "./testing/rejects-with-code.ts";

const W = Float32Array.of(1, 2, -1, 0.5, 3, -2); // [3, 2]
const B = Float32Array.of(0.25, -4);

/** y = x·W + b in float32, through standard MatMul and Add: not a plinth-shaped model. */
function matMulModel(): Uint8Array {
  return encodeOnnxModel({
    irVersion: 8,
    opsets: [{ domain: "", version: 13 }],
    producerName: "test",
    graph: {
      name: "affine",
      nodes: [
        { opType: "MatMul", name: "mm", inputs: ["x", "W"], outputs: ["xw"] },
        { opType: "Add", name: "add", inputs: ["xw", "b"], outputs: ["y"] },
      ],
      initializers: [
        { name: "W", dims: [3, 2], data: W },
        { name: "b", dims: [2], data: B },
      ],
      inputs: [{ name: "x", elemType: ONNX_ELEM_TYPE.float, dims: ["batch", 3] }],
      outputs: [{ name: "y", elemType: ONNX_ELEM_TYPE.float, dims: ["batch", 2] }],
    },
  });
}

describe("loadOnnxModel", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "plinth-onnx-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("runs a hand-built float32 model from a file, converting float64 rows", async () => {
    const path = join(dir, "affine.onnx");
    await writeFile(path, matMulModel());
    const model = await loadOnnxModel(path);
    try {
      assert.deepEqual(model.inputs, [{ name: "x", type: "float32", dims: ["batch", 3] }]);
      assert.deepEqual(model.outputs, [{ name: "y", type: "float32", dims: ["batch", 2] }]);
      const rows = Float64Array.of(1, 2, 3, -0.5, 0, 4);
      const { y } = await model.run(rows, 2, 3);
      assert.deepEqual(y?.dims, [2, 2]);
      for (let r = 0; r < 2; r++) {
        for (let k = 0; k < 2; k++) {
          let expected = B[k] as number;
          for (let j = 0; j < 3; j++)
            expected += (rows[r * 3 + j] as number) * (W[j * 2 + k] as number);
          assert.ok(Math.abs((y?.data[r * 2 + k] as number) - expected) < 1e-5, `y[${r}, ${k}]`);
        }
      }
      assert.ok(y?.data instanceof Float64Array);
      // Float32 rows feed the float32 input as they are.
      const same = await model.run(Float32Array.from(rows), 2, 3);
      assert.deepEqual(same.y?.data, y?.data);
    } finally {
      await model.close();
      await model.close();
    }
  });

  test("rejects wrong widths and lengths with typed errors", async () => {
    const model = await loadOnnxModel(matMulModel());
    try {
      await rejectsWithCode(
        model.run(new Float64Array(8), 2, 4),
        "MODELS_INVALID_INPUT",
        "numFeatures",
      );
      await rejectsWithCode(model.run(new Float64Array(5), 2, 3), "MODELS_INVALID_INPUT", "rows");
      await rejectsWithCode(
        model.run(new Float64Array(0), -1, 3),
        "MODELS_INVALID_INPUT",
        "numRows",
      );
    } finally {
      await model.close();
    }
  });

  test("missing, empty, garbage and truncated models are typed errors", async () => {
    await rejectsWithCode(loadOnnxModel(join(dir, "nope.onnx")), "MODELS_INVALID_ONNX", "path");
    const empty = join(dir, "empty.onnx");
    await writeFile(empty, new Uint8Array(0));
    await rejectsWithCode(loadOnnxModel(empty), "MODELS_INVALID_ONNX", "model");
    const garbage = Uint8Array.from({ length: 256 }, (_, i) => (i * 97 + 13) & 0xff);
    await rejectsWithCode(loadOnnxModel(garbage), "MODELS_INVALID_ONNX", "model");
    const bytes = matMulModel();
    await rejectsWithCode(
      loadOnnxModel(bytes.subarray(0, Math.floor(bytes.length / 2))),
      "MODELS_INVALID_ONNX",
      "model",
    );
  });
});
