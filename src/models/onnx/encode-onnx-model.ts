import { ProtobufWriter } from "./protobuf-writer.ts";

/**
 * The slice of `onnx.proto` plinth writes, as plain objects. Field numbers in the encoder
 * below are those of onnx/onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto, TypeProto.Tensor, TensorShapeProto, OperatorSetIdProto).
 */
export interface OnnxModel {
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producerName: string;
  readonly docString?: string;
  readonly graph: OnnxGraph;
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export interface OnnxNode {
  readonly opType: string;
  readonly domain?: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: readonly OnnxAttribute[];
}

/** One attribute; the variant decides the AttributeProto type. */
export type OnnxAttribute =
  | { readonly name: string; readonly int: number }
  | { readonly name: string; readonly float: number }
  | { readonly name: string; readonly ints: ArrayLike<number> }
  | { readonly name: string; readonly floats: ArrayLike<number> }
  | { readonly name: string; readonly tensor: OnnxTensor };

/** A dense tensor; doubles are stored as raw little-endian bytes. */
export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float64Array | Float32Array | BigInt64Array | Uint8Array;
  /** Needed only to store a Uint8Array as `bool` rather than `uint8`. */
  readonly elemType?: OnnxElemType;
}

/** A graph input or output: a tensor of `elemType`, dims given as numbers or symbolic names. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: OnnxElemType;
  readonly dims: readonly (number | string)[];
}

/** TensorProto.DataType values plinth uses. */
export const ONNX_ELEM_TYPE = { float: 1, uint8: 2, int64: 7, bool: 9, double: 11 } as const;
export type OnnxElemType = (typeof ONNX_ELEM_TYPE)[keyof typeof ONNX_ELEM_TYPE];

/** AttributeProto.AttributeType values. */
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_TENSOR = 4;
const ATTR_FLOATS = 6;
const ATTR_INTS = 7;

/**
 * Serialises `model` to ONNX protobuf bytes.
 *
 * @example
 * const bytes = encodeOnnxModel({ irVersion: 9, opsets: [{ domain: "", version: 17 }],
 *   producerName: "plinth", graph });
 */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtobufWriter();
  w.varint(1, model.irVersion);
  w.string(2, model.producerName);
  if (model.docString !== undefined) w.string(6, model.docString);
  w.message(7, (g) => writeGraph(g, model.graph));
  for (const opset of model.opsets) {
    w.message(8, (o) => {
      o.string(1, opset.domain);
      o.varint(2, opset.version);
    });
  }
  return w.finish();
}

function writeGraph(w: ProtobufWriter, graph: OnnxGraph): void {
  for (const node of graph.nodes) w.message(1, (n) => writeNode(n, node));
  w.string(2, graph.name);
  for (const t of graph.initializers) w.message(5, (m) => writeTensor(m, t));
  for (const v of graph.inputs) w.message(11, (m) => writeValueInfo(m, v));
  for (const v of graph.outputs) w.message(12, (m) => writeValueInfo(m, v));
}

function writeNode(w: ProtobufWriter, node: OnnxNode): void {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name);
  w.string(4, node.opType);
  for (const a of node.attributes ?? []) w.message(5, (m) => writeAttribute(m, a));
  if (node.domain !== undefined && node.domain !== "") w.string(7, node.domain);
}

function writeAttribute(w: ProtobufWriter, a: OnnxAttribute): void {
  w.string(1, a.name);
  if ("int" in a) w.varint(20, ATTR_INT).varint(3, a.int);
  else if ("float" in a) w.varint(20, ATTR_FLOAT).float(2, a.float);
  else if ("ints" in a) w.varint(20, ATTR_INTS).packedVarints(8, a.ints);
  else if ("floats" in a) w.varint(20, ATTR_FLOATS).packedFloats(7, a.floats);
  else w.varint(20, ATTR_TENSOR).message(5, (t) => writeTensor(t, a.tensor));
}

function writeTensor(w: ProtobufWriter, t: OnnxTensor): void {
  w.packedVarints(1, t.dims);
  w.varint(2, t.elemType ?? tensorElemType(t.data));
  w.string(8, t.name);
  // raw_data is little-endian; every platform Node runs plinth on is little-endian.
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function tensorElemType(data: OnnxTensor["data"]): OnnxElemType {
  if (data instanceof Float64Array) return ONNX_ELEM_TYPE.double;
  if (data instanceof Float32Array) return ONNX_ELEM_TYPE.float;
  if (data instanceof BigInt64Array) return ONNX_ELEM_TYPE.int64;
  return ONNX_ELEM_TYPE.uint8;
}

function writeValueInfo(w: ProtobufWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  // TypeProto.tensor_type (1) → TypeProto.Tensor { elem_type (1), shape (2) }.
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.varint(1, v.elemType);
      tensor.message(2, (shape) => {
        for (const d of v.dims) {
          shape.message(1, (dim) => {
            if (typeof d === "number") dim.varint(1, d);
            else dim.string(2, d);
          });
        }
      });
    }),
  );
}
