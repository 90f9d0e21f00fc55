import { PlinthError } from "../../core/errors.ts";
import { STATTEST_NAMES, STATTESTS, type StatTestName } from "./stattest.ts";

/** A test and/or threshold chosen for some columns instead of the defaults. */
export interface StatTestChoice {
  /** The test to run (default: Evidently's selection, see `defaultStatTest`). */
  readonly stattest?: StatTestName;
  /** The threshold (default: the test's own, 0.05 for p-values and 0.1 for distances). */
  readonly threshold?: number;
}

/**
 * Options for {@link computeDrift}. A column's test and threshold come from the most specific
 * setting that has one: `columns[name]`, then `numeric`/`categorical`, then `all`, then the
 * defaults (Evidently's precedence).
 */
export interface DriftOptions {
  /** For every column. */
  readonly all?: StatTestChoice;
  /** For numeric columns. */
  readonly numeric?: StatTestChoice;
  /** For categorical columns. */
  readonly categorical?: StatTestChoice;
  /** Per column, by name. */
  readonly columns?: Readonly<Record<string, StatTestChoice>>;
  /** The dataset drifts when at least this share of tested columns drift (default 0.5). */
  readonly driftShare?: number;
}

/** A column's test and threshold after resolving the options; undefined = default. */
export interface ResolvedChoice {
  readonly stattest: StatTestName | undefined;
  readonly threshold: number | undefined;
}

/**
 * Checks options from a caller or a file, naming the field at fault: unknown test names,
 * thresholds that are not finite and positive, a drift share outside (0, 1], and per-column
 * settings for columns the data does not have (a typo would otherwise silently not apply).
 */
export function validateDriftOptions(
  options: DriftOptions,
  columnNames: ReadonlySet<string>,
): void {
  const check = (choice: StatTestChoice | undefined, field: string) => {
    if (choice === undefined) return;
    if (typeof choice !== "object" || choice === null) throw invalid(field, "must be an object");
    if (choice.stattest !== undefined && !STATTEST_NAMES.includes(choice.stattest)) {
      throw invalid(
        `${field}.stattest`,
        `'${String(choice.stattest)}' is not one of ${STATTEST_NAMES.join(", ")}`,
      );
    }
    if (
      choice.threshold !== undefined &&
      !(
        typeof choice.threshold === "number" &&
        Number.isFinite(choice.threshold) &&
        choice.threshold > 0
      )
    ) {
      throw invalid(
        `${field}.threshold`,
        `must be a finite number > 0, got ${String(choice.threshold)}`,
      );
    }
  };
  check(options.all, "all");
  check(options.numeric, "numeric");
  check(options.categorical, "categorical");
  for (const [name, choice] of Object.entries(options.columns ?? {})) {
    if (!columnNames.has(name))
      throw invalid(`columns.${name}`, `there is no column '${name}' to apply it to`);
    check(choice, `columns.${name}`);
  }
  const share = options.driftShare;
  if (share !== undefined && !(typeof share === "number" && share > 0 && share <= 1)) {
    throw invalid("driftShare", `must be a number in (0, 1], got ${String(share)}`);
  }
}

/** The test and threshold for one column. */
export function resolveChoice(
  options: DriftOptions,
  column: string,
  kind: "numeric" | "categorical",
): ResolvedChoice {
  const layers = [options.columns?.[column], options[kind], options.all];
  return {
    stattest: layers.find((l) => l?.stattest !== undefined)?.stattest,
    threshold: layers.find((l) => l?.threshold !== undefined)?.threshold,
  };
}

/** Refuses a test that cannot run on the column's kind, naming the column. */
export function requireApplicable(
  stattest: StatTestName,
  column: string,
  kind: "numeric" | "categorical",
): void {
  if (!STATTESTS[stattest].kinds.includes(kind)) {
    throw invalid(
      `columns.${column}.stattest`,
      `'${stattest}' needs a numeric column; '${column}' is categorical`,
    );
  }
}

function invalid(field: string, problem: string): PlinthError {
  return new PlinthError("MONITORING_INVALID_INPUT", `Drift option '${field}' ${problem}`, {
    field,
  });
}
