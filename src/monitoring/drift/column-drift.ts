import { chiSquareTest, twoProportionZTest } from "./count-tests.ts";
import { jensenShannonDistance, normedWasserstein, populationStabilityIndex } from "./distances.ts";
import { ksTwoSample } from "./ks-two-sample.ts";
import {
  alignCounts,
  type ColumnRows,
  type PreparedColumn,
  uniqueValues,
} from "./prepared-column.ts";
import { defaultStatTest, STATTESTS, type StatTestName } from "./stattest.ts";

/** One row of a drift table. */
export interface ColumnDrift {
  readonly column: string;
  /** A model input, or the model's prediction. */
  readonly role: "feature" | "prediction";
  readonly kind: "numeric" | "categorical";
  /** `skipped` when the test could not run; `reason` says why. */
  readonly status: "ok" | "skipped";
  readonly reason?: string;
  readonly stattest: StatTestName | null;
  /** Whether `score` is a p-value (drift when small) or a distance (drift when large). */
  readonly scoreKind: "p_value" | "distance" | null;
  readonly score: number | null;
  /** The test statistic behind a p-value: K-S D, χ², or z. */
  readonly statistic: number | null;
  /** K-S only: how the p-value was computed. */
  readonly method: "exact" | "asymptotic" | null;
  readonly threshold: number | null;
  readonly drifted: boolean;
  /** Distinct values of reference and current together (what the default selection used). */
  readonly uniqueValues: number | null;
  readonly reference: ColumnRows;
  readonly current: ColumnRows;
}

/** What one test computed. */
interface Score {
  readonly score: number;
  readonly statistic: number | null;
  readonly method: "exact" | "asymptotic" | null;
}

/**
 * Runs one column's drift test on prepared (cleaned) sides of the same kind: the chosen test,
 * or Evidently's default for the reference's size and the distinct values.
 */
export function columnDrift(
  column: string,
  role: "feature" | "prediction",
  reference: PreparedColumn,
  current: PreparedColumn,
  choice: { stattest: StatTestName | undefined; threshold: number | undefined },
): ColumnDrift {
  const base = {
    column,
    role,
    kind: reference.kind,
    reference: rowsOf(reference),
    current: rowsOf(current),
  };
  const empty = reference.used === 0 ? "reference" : current.used === 0 ? "current" : null;
  if (empty !== null) {
    return {
      ...base,
      status: "skipped",
      reason: `the ${empty} has no ${reference.kind === "numeric" ? "finite values" : "values"} in '${column}'`,
      stattest: null,
      scoreKind: null,
      score: null,
      statistic: null,
      method: null,
      threshold: null,
      drifted: false,
      uniqueValues: null,
    };
  }
  const distinct = uniqueValues(reference, current);
  const stattest = choice.stattest ?? defaultStatTest(reference.kind, reference.used, distinct);
  const spec = STATTESTS[stattest];
  const threshold = choice.threshold ?? spec.defaultThreshold;
  const result = score(stattest, reference, current);
  return {
    ...base,
    status: "ok",
    stattest,
    scoreKind: spec.score,
    ...result,
    threshold,
    drifted: spec.drifted(result.score, threshold),
    uniqueValues: distinct,
  };
}

function score(stattest: StatTestName, reference: PreparedColumn, current: PreparedColumn): Score {
  switch (stattest) {
    case "ks": {
      if (reference.kind !== "numeric" || current.kind !== "numeric")
        throw new Error("ks needs numbers");
      const r = ksTwoSample(reference.sorted, current.sorted);
      return { score: r.pValue, statistic: r.statistic, method: r.method };
    }
    case "wasserstein": {
      if (reference.kind !== "numeric" || current.kind !== "numeric")
        throw new Error("wasserstein needs numbers");
      return {
        score: normedWasserstein(reference.sorted, current.sorted),
        statistic: null,
        method: null,
      };
    }
    case "chisquare": {
      const r = chiSquareTest(alignCounts(reference, current));
      return { score: r.pValue, statistic: r.statistic, method: null };
    }
    case "z": {
      const r = twoProportionZTest(alignCounts(reference, current));
      return { score: r.pValue, statistic: r.statistic, method: null };
    }
    case "jensenshannon":
      return { score: jensenShannonDistance(reference, current), statistic: null, method: null };
    case "psi":
      return { score: populationStabilityIndex(reference, current), statistic: null, method: null };
  }
}

function rowsOf(side: PreparedColumn): ColumnRows {
  return { rows: side.rows, used: side.used, missing: side.missing, infinite: side.infinite };
}
