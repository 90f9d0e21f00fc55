import type { TreeEnsemble } from "./tree-ensemble.ts";

/**
 * The child of internal node `node` that value `x` goes to, by the TreeEnsemble decision
 * rule: NaN takes the default direction; a numeric split sends `x < threshold` left; a
 * categorical split sends a code in the node's bitset left, any other valid code right, and
 * a negative, non-integer or beyond-the-bitset code the default direction.
 *
 * Written for clarity (explanations, tests); the predictor has its own compiled walk.
 */
export function nextNode(e: TreeEnsemble, node: number, x: number): number {
  const left = e.left[node] as number;
  const right = e.right[node] as number;
  const fallback = e.defaultLeft[node] === 1 ? left : right;
  if (Number.isNaN(x)) return fallback;
  const offset = e.categoryOffset[node] as number;
  if (offset < 0) return x < (e.threshold[node] as number) ? left : right;
  if (x < 0 || !Number.isInteger(x)) return fallback;
  const word = Math.floor(x / 32);
  if (word >= (e.categoryWords[node] as number)) return fallback;
  return ((e.categoryBits[offset + word] as number) >>> (x % 32)) & 1 ? left : right;
}
