import type { TreeEnsemble } from "../tree-ensemble.ts";
import { validateTreeEnsemble } from "../validate-tree-ensemble.ts";
import {
  encodeOnnxModel,
  ONNX_ELEM_TYPE,
  type OnnxNode,
  type OnnxTensor,
} from "./encode-onnx-model.ts";
import { flattenTreesForOnnx } from "./flatten-trees-for-onnx.ts";
import { linkNode } from "./link-node.ts";

/**
 * Exports a tree model as ONNX: one ai.onnx.ml `TreeEnsemble` (opset 5) in double precision,
 * an `Add` of the base scores, then the link as a standard op. The graph takes `input`
 * (double, `[N, numFeatures]`, NaN = missing, categorical codes as numbers) and returns
 * `raw` (`[N, numOutputs]`, what `predictRaw` gives) and `prediction` (through the link, what
 * `predict` gives).
 *
 * Opset 5's TreeEnsemble is used rather than TreeEnsembleRegressor because its thresholds,
 * leaf weights and output are all double (TreeEnsembleRegressor's output is float32), and it
 * states set membership directly. The decision rule maps exactly: numeric splits are
 * BRANCH_LT with `nodes_missing_value_tracks_true = defaultLeft`; in front of the trees,
 * standard ops append a copy of the input columns in which negative and non-integer
 * categorical codes are NaN, and categorical nodes read that copy; each tests membership in
 * the codes of its non-default side, so missing, invalid and beyond-the-bitset codes take
 * the default direction as in `predict`.
 * That cleaning is needed: without it onnxruntime 1.30 scored codes such as -1 and 1.5
 * against member sets differently from `predict` (measured in the tests' random rows).
 *
 * @example
 * writeFileSync("model.onnx", exportTreeEnsembleToOnnx(ensemble));
 */
export function exportTreeEnsembleToOnnx(ensemble: TreeEnsemble): Uint8Array {
  validateTreeEnsemble(ensemble);
  const numFeatures = ensemble.featureNames.length;
  const K = ensemble.numOutputs;
  const trees = flattenTreesForOnnx(ensemble, numFeatures);
  const baseScore = Float64Array.from(
    ensemble.baseScore,
    (b, k) => b + (trees.constantTrees[k] as number),
  );
  const hasCategorical = ensemble.categoricalFeatures.some((c) => c);
  const treeInput = hasCategorical ? "tree_input" : "input";
  const tensor = (data: OnnxTensor["data"]): OnnxTensor => ({
    name: "",
    dims: [data.length],
    data,
  });
  const treeNode: OnnxNode = {
    opType: "TreeEnsemble",
    domain: "ai.onnx.ml",
    name: "trees",
    inputs: [treeInput],
    outputs: ["tree_sum"],
    attributes: [
      { name: "n_targets", int: K },
      { name: "aggregate_function", int: 1 }, // SUM
      { name: "post_transform", int: 0 }, // NONE: the link follows as a standard op
      { name: "tree_roots", ints: trees.treeRoots },
      { name: "nodes_featureids", ints: trees.featureIds },
      { name: "nodes_modes", tensor: tensor(Uint8Array.from(trees.modes)) },
      { name: "nodes_splits", tensor: tensor(Float64Array.from(trees.splits)) },
      { name: "nodes_truenodeids", ints: trees.trueIds },
      { name: "nodes_trueleafs", ints: trees.trueLeafs },
      { name: "nodes_falsenodeids", ints: trees.falseIds },
      { name: "nodes_falseleafs", ints: trees.falseLeafs },
      { name: "nodes_missing_value_tracks_true", ints: trees.missingTracksTrue },
      { name: "leaf_targetids", ints: trees.leafTargets },
      { name: "leaf_weights", tensor: tensor(Float64Array.from(trees.leafWeights)) },
      ...(trees.members.length > 0
        ? [{ name: "membership_values", tensor: tensor(Float64Array.from(trees.members)) }]
        : []),
    ],
  };
  return encodeOnnxModel({
    irVersion: 10,
    opsets: [
      { domain: "", version: 21 },
      { domain: "ai.onnx.ml", version: 5 },
    ],
    producerName: "plinth",
    graph: {
      name: "plinth_tree_ensemble",
      nodes: [
        ...(hasCategorical ? cleanCategoricalNodes(treeInput) : []),
        treeNode,
        {
          opType: "Add",
          name: "add_base_score",
          inputs: ["tree_sum", "base_score"],
          outputs: ["raw"],
        },
        linkNode(ensemble.link, "raw", "prediction"),
      ],
      initializers: [
        { name: "base_score", dims: [K], data: baseScore },
        ...(hasCategorical
          ? [
              { name: "zero", dims: [], data: Float64Array.of(0) },
              { name: "nan", dims: [], data: Float64Array.of(Number.NaN) },
              {
                name: "categorical_mask",
                dims: [numFeatures],
                data: Uint8Array.from(ensemble.categoricalFeatures, (c) => (c ? 1 : 0)),
                elemType: ONNX_ELEM_TYPE.bool,
              },
            ]
          : []),
      ],
      inputs: [{ name: "input", elemType: ONNX_ELEM_TYPE.double, dims: ["N", numFeatures] }],
      outputs: [
        { name: "raw", elemType: ONNX_ELEM_TYPE.double, dims: ["N", K] },
        { name: "prediction", elemType: ONNX_ELEM_TYPE.double, dims: ["N", K] },
      ],
    },
  });
}

/**
 * `output = Concat(x, Where(categorical_mask AND NOT(floor(x) == x AND x >= 0), NaN, x))`:
 * the second half has negative and non-integer codes missing, as the TreeEnsemble decision
 * rule treats them.
 */
function cleanCategoricalNodes(output: string): OnnxNode[] {
  const node = (opType: string, inputs: string[], out: string): OnnxNode => ({
    opType,
    name: out,
    inputs,
    outputs: [out],
  });
  return [
    node("Floor", ["input"], "floored"),
    node("Equal", ["floored", "input"], "is_integer"),
    node("GreaterOrEqual", ["input", "zero"], "is_non_negative"),
    node("And", ["is_integer", "is_non_negative"], "is_valid_code"),
    node("Not", ["is_valid_code"], "is_invalid_code"),
    node("And", ["is_invalid_code", "categorical_mask"], "is_invalid_category"),
    node("Where", ["is_invalid_category", "nan", "input"], "cleaned_input"),
    {
      ...node("Concat", ["input", "cleaned_input"], output),
      attributes: [{ name: "axis", int: 1 }],
    },
  ];
}
