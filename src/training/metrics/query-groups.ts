import { invalidData, requireFinite, requireSameLength } from "./metric-input-checks.ts";

/**
 * Validates ranking input (equal lengths, finite non-negative relevance, finite scores, one
 * contiguous run of rows per group id) and returns the group boundaries: group g spans rows
 * offsets[g] to offsets[g + 1] - 1.
 */
export function queryGroupOffsets(
  relevance: Float64Array,
  scores: Float64Array,
  group: Int32Array,
): Int32Array {
  const n = requireSameLength(["relevance", relevance], ["scores", scores], ["group", group]);
  requireFinite("relevance", relevance);
  requireFinite("scores", scores);
  for (let i = 0; i < n; i++) {
    // scikit-learn 1.2 warns on negative relevance and 1.4 refuses it: a negative gain
    // breaks the "ideal ranking is the best ranking" premise of NDCG.
    if ((relevance[i] as number) < 0) {
      invalidData("relevance", `'relevance' row ${i} is ${relevance[i]}; expected a grade >= 0`);
    }
  }
  const starts: number[] = [0];
  const seen = new Set<number>([group[0] as number]);
  for (let i = 1; i < n; i++) {
    const g = group[i] as number;
    if (g === group[i - 1]) continue;
    if (seen.has(g)) {
      invalidData(
        "group",
        `Query group ${g} is split at row ${i}; rows of one group must be contiguous`,
      );
    }
    seen.add(g);
    starts.push(i);
  }
  starts.push(n);
  return Int32Array.from(starts);
}

/** Row indices of `start..end-1` sorted by descending score, ties kept in row order. */
export function rankByScore(scores: Float64Array, start: number, end: number): Int32Array {
  const order = new Int32Array(end - start);
  for (let i = 0; i < order.length; i++) order[i] = start + i;
  // TypedArray#sort is stable (ES2019), which is what makes ties keep their row order.
  return order.sort((a, b) => (scores[b] as number) - (scores[a] as number));
}
