/**
 * The one in-memory form of a tree model. plinth's GBDT trainer writes it, the XGBoost and
 * LightGBM importers convert into it, and one predictor and one TreeSHAP read it. Nodes of
 * every tree live in shared flat typed arrays so scoring touches no per-node objects.
 *
 * Decision rule at an internal node `n` with feature `f = feature[n]` and value `x`:
 * - missing (`NaN`) goes to `defaultLeft[n] ? left : right`;
 * - numeric split (`categoryOffset[n] < 0`): `x < threshold[n]` goes left, else right;
 * - categorical split: `x` is a category code; a code in the node's set goes left, a code
 *   outside it goes right; a negative, non-integer or beyond-the-bitset code is treated as
 *   missing (this is how unseen categories are scored).
 */
export interface TreeEnsemble {
  /** Input feature names, in the column order the predictor expects. */
  readonly featureNames: readonly string[];
  /** Which inputs are categorical codes (true) rather than numbers. */
  readonly categoricalFeatures: readonly boolean[];
  /** Raw-score groups: 1 for regression, binary and ranking; K for K-class softmax. */
  readonly numOutputs: number;
  /** Per-output raw score added before any tree (the margin of the base score). */
  readonly baseScore: Float64Array;
  /** How a raw score becomes a prediction. */
  readonly link: TreeEnsembleLink;
  /** Index of each tree's root node in the node arrays; tree t adds to output `treeOutput[t]`. */
  readonly treeRoot: Int32Array;
  /** Output group each tree contributes to. */
  readonly treeOutput: Int32Array;
  /** Per node: the feature index, or -1 for a leaf. */
  readonly feature: Int32Array;
  /** Per node: the numeric threshold (`x < threshold` goes left). */
  readonly threshold: Float64Array;
  /** Per node: absolute index of the left child (-1 for a leaf). */
  readonly left: Int32Array;
  /** Per node: absolute index of the right child (-1 for a leaf). */
  readonly right: Int32Array;
  /** Per node: 1 when a missing value goes left. */
  readonly defaultLeft: Uint8Array;
  /** Per node: the leaf value (already scaled by the learning rate); 0 for internal nodes. */
  readonly value: Float64Array;
  /** Per node: sum of hessians (or row count) of the training rows that reached it; TreeSHAP needs it. */
  readonly cover: Float64Array;
  /** Per node: offset of its category bitset in `categoryBits`, or -1 for a numeric split. */
  readonly categoryOffset: Int32Array;
  /** Per node: number of 32-bit words in its category bitset (0 for numeric splits). */
  readonly categoryWords: Int32Array;
  /** Category bitsets, bit `c % 32` of word `offset + floor(c / 32)` set when code c goes left. */
  readonly categoryBits: Uint32Array;
  /**
   * Per node: the loss reduction of its split (0 for leaves), for gain importance. Optional:
   * not every source records it.
   */
  readonly gain?: Float64Array;
}

/** identity: regression; logistic: binary; softmax: multiclass; exp: Poisson (log link). */
export type TreeEnsembleLink = "identity" | "logistic" | "softmax" | "exp";
