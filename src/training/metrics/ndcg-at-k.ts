import { requirePositiveInteger } from "./metric-input-checks.ts";
import { queryGroupOffsets, rankByScore } from "./query-groups.ts";

/**
 * Mean over query groups of NDCG@k, each group scored as scikit-learn 1.2's
 * `ndcg_score([relevance], [scores], k=k)`: linear gain (the relevance itself, not
 * 2^rel − 1), discount 1 / log2(rank + 1), and tied scores averaged — a run of equal scores
 * gets its mean gain at every position it spans (`ignore_ties=False`), so row order never
 * matters. The ideal DCG ranks by relevance. Following scikit-learn, a group whose ideal DCG
 * is 0 (no relevant row) scores 0 and still counts in the mean. A one-row group, which
 * scikit-learn refuses, scores 1 when relevant and 0 otherwise. Every group weighs the same.
 *
 * Throws TRAINING_INVALID_DATA on mismatched or empty arrays, non-finite scores or relevance,
 * negative relevance, or a group split into non-contiguous runs; INVALID_ARGUMENT when `k`
 * is not an integer >= 1.
 *
 * @example
 * ndcgAtK(
 *   new Float64Array([10, 0, 0, 1, 5]),
 *   new Float64Array([0.1, 0.2, 0.3, 4, 70]),
 *   new Int32Array([7, 7, 7, 7, 7]),
 *   5,
 * ); // ≈ 0.6957, as scikit-learn's docstring example
 */
export function ndcgAtK(
  relevance: Float64Array,
  scores: Float64Array,
  group: Int32Array,
  k: number,
): number {
  requirePositiveInteger("k", k);
  const offsets = queryGroupOffsets(relevance, scores, group);
  const numGroups = offsets.length - 1;
  let largest = 0;
  for (let g = 0; g < numGroups; g++) {
    largest = Math.max(largest, (offsets[g + 1] as number) - (offsets[g] as number));
  }
  // discountSum[r] = sum of the first r + 1 discounts, zero past k — built as scikit-learn's
  // cumsum so a tie run's discount (a difference of two sums) rounds the same way.
  const discount = new Float64Array(largest);
  const discountSum = new Float64Array(largest);
  let running = 0;
  for (let r = 0; r < largest; r++) {
    discount[r] = r < k ? 1 / (Math.log(r + 2) / Math.log(2)) : 0;
    running += discount[r] as number;
    discountSum[r] = running;
  }

  let total = 0;
  for (let g = 0; g < numGroups; g++) {
    const start = offsets[g] as number;
    const end = offsets[g + 1] as number;
    const ideal = idealDcg(relevance, start, end, discount);
    if (ideal !== 0) total += tieAveragedDcg(relevance, scores, start, end, discountSum) / ideal;
  }
  return total / numGroups;
}

function tieAveragedDcg(
  relevance: Float64Array,
  scores: Float64Array,
  start: number,
  end: number,
  discountSum: Float64Array,
): number {
  const order = rankByScore(scores, start, end);
  let dcg = 0;
  let runStart = 0;
  while (runStart < order.length) {
    const score = scores[order[runStart] as number];
    let runEnd = runStart;
    let gain = 0;
    while (runEnd < order.length && scores[order[runEnd] as number] === score) {
      gain += relevance[order[runEnd] as number] as number;
      runEnd++;
    }
    const before = runStart === 0 ? 0 : (discountSum[runStart - 1] as number);
    dcg += (gain / (runEnd - runStart)) * ((discountSum[runEnd - 1] as number) - before);
    runStart = runEnd;
  }
  return dcg;
}

function idealDcg(
  relevance: Float64Array,
  start: number,
  end: number,
  discount: Float64Array,
): number {
  const sorted = relevance.slice(start, end).sort().reverse();
  let dcg = 0;
  for (let r = 0; r < sorted.length; r++) dcg += (discount[r] as number) * (sorted[r] as number);
  return dcg;
}
