import type { LinearModelLink } from "../linear-model.ts";
import type { TreeEnsembleLink } from "../tree-ensemble.ts";
import type { OnnxNode } from "./encode-onnx-model.ts";

/**
 * The standard-op node that turns raw scores `[N, K]` into predictions the way
 * `applyLinkInPlace` does: Sigmoid, Softmax over the last axis (opset 13+ normalises each row
 * on its own), Exp, or Identity.
 *
 * @example
 * const node = linkNode("logistic", "raw", "prediction"); // Sigmoid(raw) -> prediction
 */
export function linkNode(
  link: TreeEnsembleLink | LinearModelLink,
  input: string,
  output: string,
): OnnxNode {
  const opType = { identity: "Identity", logistic: "Sigmoid", softmax: "Softmax", exp: "Exp" }[
    link
  ];
  return {
    opType,
    name: "link",
    inputs: [input],
    outputs: [output],
    ...(link === "softmax" ? { attributes: [{ name: "axis", int: -1 }] } : {}),
  };
}
