/**
 * Counts of category values, exact while there are at most `capacity` distinct values and a
 * Misra-Gries summary beyond (Agarwal et al., "Mergeable Summaries", 2012): whenever more
 * than `capacity` values would be kept, the (capacity+1)-th largest count is subtracted from
 * every count and values that reach zero are dropped. Each kept count then satisfies
 *
 *   count ≤ true count ≤ count + errorBound,
 *
 * and a value missing from the summary occurred at most `errorBound` times. Merging adds the
 * counts and reduces again, so it is associative up to the error bound; while both sides are
 * exact the merge is exact.
 */
export interface CategoryCounts {
  /** Value → count, most frequent first (ties by value). */
  readonly values: readonly string[];
  /** Counts parallel to `values`. */
  readonly counts: readonly number[];
  /** Most values kept. */
  readonly capacity: number;
  /** The most any count may undercount by; 0 while the counts are exact. */
  readonly errorBound: number;
}

/** Distinct values kept exactly before the summary starts approximating. */
export const DEFAULT_CATEGORY_CAPACITY = 1000;

/**
 * Counts from a value → count map, reduced to `capacity` values.
 *
 * @example
 * categoryCountsOf(new Map([["a", 3], ["b", 1]])).values; // ["a", "b"]
 */
export function categoryCountsOf(
  counts: ReadonlyMap<string, number>,
  capacity = DEFAULT_CATEGORY_CAPACITY,
  errorBound = 0,
): CategoryCounts {
  const entries = [...counts].filter(([, c]) => c > 0).sort(byCountThenValue);
  let bound = errorBound;
  let kept = entries;
  if (entries.length > capacity) {
    const cut = entries[capacity]![1];
    kept = entries.slice(0, capacity).map(([v, c]): [string, number] => [v, c - cut]);
    kept = kept.filter(([, c]) => c > 0);
    bound += cut;
  }
  return {
    values: kept.map(([v]) => v),
    counts: kept.map(([, c]) => c),
    capacity,
    errorBound: bound,
  };
}

/** Both summaries' counts together, reduced to the smaller capacity. */
export function mergeCategoryCounts(a: CategoryCounts, b: CategoryCounts): CategoryCounts {
  const sum = new Map<string, number>();
  for (const [i, v] of a.values.entries()) sum.set(v, a.counts[i]!);
  for (const [i, v] of b.values.entries()) sum.set(v, (sum.get(v) ?? 0) + b.counts[i]!);
  return categoryCountsOf(sum, Math.min(a.capacity, b.capacity), a.errorBound + b.errorBound);
}

/** The `k` most frequent values with their counts. */
export function topCategories(
  counts: CategoryCounts,
  k: number,
): { readonly value: string; readonly count: number }[] {
  return counts.values.slice(0, k).map((value, i) => ({ value, count: counts.counts[i]! }));
}

function byCountThenValue(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}
