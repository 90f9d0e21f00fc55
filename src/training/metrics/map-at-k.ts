import { requirePositiveInteger } from "./metric-input-checks.ts";
import { queryGroupOffsets, rankByScore } from "./query-groups.ts";

/**
 * Mean over query groups of AP@k: rows with relevance > 0 are relevant; AP@k sums
 * precision@i over the ranks i <= k that hold a relevant row and divides by
 * min(k, relevant rows in the group). Rows rank by descending score, ties in row order (as
 * LightGBM's stable sort does). A group with no relevant row scores 0 and still counts in the
 * mean — LightGBM scores it 1 instead, which would reward an uninformative query. Every group
 * weighs the same.
 *
 * Throws like `ndcgAtK`.
 *
 * @example
 * mapAtK(
 *   new Float64Array([1, 0, 1, 0, 0]),
 *   new Float64Array([0.9, 0.8, 0.7, 0.5, 0.1]),
 *   new Int32Array([1, 1, 1, 2, 2]),
 *   3,
 * ); // ≈ 0.4167: group 1 has AP (1/1 + 2/3) / 2, group 2 has no relevant row and scores 0
 */
export function mapAtK(
  relevance: Float64Array,
  scores: Float64Array,
  group: Int32Array,
  k: number,
): number {
  requirePositiveInteger("k", k);
  const offsets = queryGroupOffsets(relevance, scores, group);
  const numGroups = offsets.length - 1;
  let total = 0;
  for (let g = 0; g < numGroups; g++) {
    const start = offsets[g] as number;
    const end = offsets[g + 1] as number;
    let relevant = 0;
    for (let i = start; i < end; i++) if ((relevance[i] as number) > 0) relevant++;
    if (relevant === 0) continue;
    const order = rankByScore(scores, start, end);
    const depth = Math.min(k, order.length);
    let hits = 0;
    let sum = 0;
    for (let rank = 1; rank <= depth; rank++) {
      if ((relevance[order[rank - 1] as number] as number) > 0) {
        hits++;
        sum += hits / rank;
      }
    }
    total += sum / Math.min(k, relevant);
  }
  return total / numGroups;
}
