import {
  describe,
  invalidPackage,
  readArray,
  readDecimalInteger,
  readInteger,
  readObject,
} from "../json-field-readers.ts";

/** XGBoost rejects category codes at or above 2^24 (the last integer exact in float32). */
export const XGBOOST_MAX_CATEGORY = 2 ** 24 - 1;

/** One tree of an XGBoost JSON model, its per-node arrays checked for type, length and range. */
export interface XgboostTree {
  readonly numNodes: number;
  /** Child ids in [-1, numNodes); -1 marks a leaf. */
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly splitIndex: Uint32Array;
  /** Split threshold for an internal node, leaf value for a leaf; NaN for categorical nodes. */
  readonly splitCondition: Float64Array;
  readonly defaultLeft: Uint8Array;
  readonly sumHessian: Float64Array;
  readonly lossChange: Float64Array;
  /** 1 for a categorical split. */
  readonly splitType: Uint8Array;
  /** For each categorical node, the category codes XGBoost sends right. */
  readonly categories: ReadonlyMap<number, Int32Array>;
}

/**
 * Reads `trees[i]` of an XGBoost 1.7 JSON model. `tree_param.num_nodes` is only a claim: each
 * per-node array must hold exactly that many entries, so a hostile count is rejected before
 * anything of that size is allocated.
 */
export function readXgboostTree(value: unknown, path: string): XgboostTree {
  const tree = readObject(value, path);
  const param = readObject(tree.tree_param, `${path}.tree_param`);
  const numNodes = readDecimalInteger(
    param.num_nodes,
    `${path}.tree_param.num_nodes`,
    1,
    2 ** 31 - 1,
  );
  const leafVector = param.size_leaf_vector;
  if (
    leafVector !== undefined &&
    readDecimalInteger(leafVector, `${path}.tree_param.size_leaf_vector`, 0, 2 ** 31) > 1
  ) {
    throw invalidPackage(
      `${path}.tree_param.size_leaf_vector`,
      "vector leaves (multi-target trees) are not supported",
    );
  }
  const nodes = (field: string): readonly unknown[] => {
    const array = readArray(tree[field], `${path}.${field}`);
    if (array.length !== numNodes) {
      throw invalidPackage(
        `${path}.${field}`,
        `must have tree_param.num_nodes (${numNodes}) entries, got ${array.length}`,
      );
    }
    return array;
  };
  const ints = <T extends Int32Array | Uint32Array | Uint8Array>(
    field: string,
    out: T,
    min: number,
    max: number,
  ): T => fillIntegers(nodes(field), `${path}.${field}`, out, min, max);
  const floats = (field: string): Float64Array => {
    const array = nodes(field);
    const out = new Float64Array(numNodes);
    for (let i = 0; i < numNodes; i++) out[i] = readFloat(array[i], `${path}.${field}[${i}]`);
    return out;
  };
  const splitType =
    tree.split_type === undefined
      ? new Uint8Array(numNodes)
      : ints("split_type", new Uint8Array(numNodes), 0, 1);
  return {
    numNodes,
    left: ints("left_children", new Int32Array(numNodes), -1, numNodes - 1),
    right: ints("right_children", new Int32Array(numNodes), -1, numNodes - 1),
    splitIndex: ints("split_indices", new Uint32Array(numNodes), 0, 2 ** 32 - 1),
    splitCondition: floats("split_conditions"),
    defaultLeft: readDefaultLeft(nodes("default_left"), `${path}.default_left`),
    sumHessian: floats("sum_hessian"),
    lossChange: floats("loss_changes"),
    splitType,
    categories: splitType.includes(1) ? readCategories(tree, path, numNodes) : new Map(),
  };
}

function readCategories(
  tree: Record<string, unknown>,
  path: string,
  numNodes: number,
): Map<number, Int32Array> {
  const list = (field: string): readonly unknown[] => readArray(tree[field], `${path}.${field}`);
  const nodes = list("categories_nodes");
  const segments = list("categories_segments");
  const sizes = list("categories_sizes");
  const categories = list("categories");
  for (const [field, array] of [
    ["categories_segments", segments],
    ["categories_sizes", sizes],
  ] as const) {
    if (array.length !== nodes.length) {
      throw invalidPackage(
        `${path}.${field}`,
        `must have one entry per categories_nodes entry (${nodes.length})`,
      );
    }
  }
  const byNode = new Map<number, Int32Array>();
  for (let i = 0; i < nodes.length; i++) {
    const node = readInteger(nodes[i], `${path}.categories_nodes[${i}]`, 0, numNodes - 1);
    const begin = readInteger(
      segments[i],
      `${path}.categories_segments[${i}]`,
      0,
      categories.length,
    );
    const size = readInteger(
      sizes[i],
      `${path}.categories_sizes[${i}]`,
      0,
      categories.length - begin,
    );
    const codes = new Int32Array(size);
    for (let j = 0; j < size; j++) {
      const code = categories[begin + j];
      if (
        typeof code !== "number" ||
        !Number.isInteger(code) ||
        code < 0 ||
        code > XGBOOST_MAX_CATEGORY
      ) {
        throw invalidPackage(
          `${path}.categories[${begin + j}]`,
          `must be a category code in [0, ${XGBOOST_MAX_CATEGORY}], got ${describe(code)}`,
        );
      }
      codes[j] = code;
    }
    byNode.set(node, codes);
  }
  return byNode;
}

function fillIntegers<T extends Int32Array | Uint32Array | Uint8Array>(
  array: readonly unknown[],
  path: string,
  out: T,
  min: number,
  max: number,
): T {
  for (let i = 0; i < array.length; i++) {
    const v = array[i];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      throw invalidPackage(
        `${path}[${i}]`,
        `must be an integer in [${min}, ${max}], got ${describe(v)}`,
      );
    }
    out[i] = v;
  }
  return out;
}

/** XGBoost 1.7 writes 0/1; older files wrote booleans. */
function readDefaultLeft(array: readonly unknown[], path: string): Uint8Array {
  const out = new Uint8Array(array.length);
  for (let i = 0; i < array.length; i++) {
    const v = array[i];
    if (v === 1 || v === true) out[i] = 1;
    else if (v !== 0 && v !== false) {
      throw invalidPackage(`${path}[${i}]`, `must be 0 or 1, got ${describe(v)}`);
    }
  }
  return out;
}

/**
 * Reads a float32 value: a number, or the string `"NaN"`, `"Infinity"` or `"-Infinity"`
 * (how the text parser passes XGBoost's bare tokens), rounded to float32 as XGBoost holds it.
 */
export function readFloat(value: unknown, path: string): number {
  if (typeof value === "number") return Math.fround(value);
  if (value === "NaN") return Number.NaN;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  throw invalidPackage(path, `must be a number, got ${describe(value)}`);
}
