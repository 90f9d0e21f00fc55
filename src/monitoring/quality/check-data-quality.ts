import { PlinthError } from "../../core/errors.ts";
import type { FeatureColumn } from "../../training/dataset/training-dataset.ts";
import {
  type DatasetProfile,
  type FeatureProfile,
  missingRate,
} from "../profile/feature-profile.ts";

/** The checks {@link checkDataQuality} runs. */
export type QualityCheck =
  | "empty_window"
  | "missing_column"
  | "extra_column"
  | "type_mismatch"
  | "missing_rate_jump"
  | "out_of_range"
  | "non_finite_values"
  | "unseen_categories";

/** One problem found, with the numbers that show it. */
export interface QualityFinding {
  readonly check: QualityCheck;
  /** The column, or null for a dataset-level finding. */
  readonly column: string | null;
  /** `error`: the data cannot be scored as trained (a column gone or retyped); else `warning`. */
  readonly severity: "error" | "warning";
  readonly message: string;
  readonly evidence: Readonly<Record<string, number | string | boolean | readonly string[] | null>>;
}

/** Options for {@link checkDataQuality}. */
export interface QualityOptions {
  /** A missing rate this much above the reference's (absolute) is a jump (default 0.05). */
  readonly missingRateTolerance?: number;
  /** Values beyond the reference range by more than this share of it are out of range (default 0). */
  readonly rangeTolerance?: number;
  /** Unseen category values listed as evidence, most frequent first (default 10). */
  readonly maxListed?: number;
}

/**
 * Compares current columns with the reference's profile (typically stored with the model
 * version) and reports schema violations (columns missing, extra or of another kind),
 * missing-rate jumps, values outside the reference's [min, max] (widened by
 * `rangeTolerance` × its width), ±Infinity values, and category values the reference never
 * had. Unseen categories are exact while the reference's category counts are (see
 * CategoryCounts); otherwise the evidence says `approximate: true`.
 *
 * @example
 * const findings = checkDataQuality(referenceProfile, window.features);
 * findings.filter((f) => f.severity === "error");
 */
export function checkDataQuality(
  reference: DatasetProfile,
  current: readonly FeatureColumn[],
  options: QualityOptions = {},
): QualityFinding[] {
  const missingTolerance = option(options.missingRateTolerance, 0.05, "missingRateTolerance");
  const rangeTolerance = option(options.rangeTolerance, 0, "rangeTolerance");
  const maxListed = options.maxListed ?? 10;
  if (!(Number.isInteger(maxListed) && maxListed >= 0)) {
    throw invalid("maxListed", `'maxListed' must be an integer >= 0, got ${maxListed}`);
  }
  const findings: QualityFinding[] = [];
  const currentByName = new Map(current.map((c) => [c.name, c]));
  const rows = current.length === 0 ? 0 : lengthOf(current[0]!);
  if (rows === 0) {
    findings.push({
      check: "empty_window",
      column: null,
      severity: "warning",
      message: "The current data has no rows: nothing to check",
      evidence: { rows: 0 },
    });
  }
  for (const profile of reference.features) {
    const column = currentByName.get(profile.name);
    if (column === undefined) {
      findings.push({
        check: "missing_column",
        column: profile.name,
        severity: "error",
        message: `'${profile.name}' is in the reference but missing from the current data`,
        evidence: { referenceKind: profile.kind },
      });
      continue;
    }
    if (column.kind !== profile.kind) {
      findings.push({
        check: "type_mismatch",
        column: profile.name,
        severity: "error",
        message: `'${profile.name}' is ${profile.kind} in the reference but ${column.kind} in the current data`,
        evidence: { referenceKind: profile.kind, currentKind: column.kind },
      });
      continue;
    }
    if (lengthOf(column) === 0) continue;
    findings.push(...checkColumn(profile, column, { missingTolerance, rangeTolerance, maxListed }));
  }
  const known = new Set(reference.features.map((f) => f.name));
  for (const column of current) {
    if (known.has(column.name)) continue;
    findings.push({
      check: "extra_column",
      column: column.name,
      severity: "warning",
      message: `'${column.name}' is in the current data but not in the reference`,
      evidence: { currentKind: column.kind },
    });
  }
  return findings;
}

function checkColumn(
  profile: FeatureProfile,
  column: FeatureColumn,
  limits: { missingTolerance: number; rangeTolerance: number; maxListed: number },
): QualityFinding[] {
  const findings: QualityFinding[] = [];
  const name = column.name;
  const rows = lengthOf(column);
  let missing = 0;
  if (column.kind === "numeric" && profile.kind === "numeric") {
    const { min, max, count } = profile.moments;
    const slack = count === 0 ? 0 : (max - min) * limits.rangeTolerance;
    let below = 0;
    let above = 0;
    let positiveInfinity = 0;
    let negativeInfinity = 0;
    let lowest = Number.POSITIVE_INFINITY;
    let highest = Number.NEGATIVE_INFINITY;
    for (const x of column.values) {
      if (Number.isNaN(x)) missing++;
      else if (x === Number.POSITIVE_INFINITY) positiveInfinity++;
      else if (x === Number.NEGATIVE_INFINITY) negativeInfinity++;
      else {
        if (x < lowest) lowest = x;
        if (x > highest) highest = x;
        if (count > 0 && x < min - slack) below++;
        else if (count > 0 && x > max + slack) above++;
      }
    }
    if (below + above > 0) {
      findings.push({
        check: "out_of_range",
        column: name,
        severity: "warning",
        message: `${below + above} values of '${name}' lie outside the reference range [${min}, ${max}]`,
        evidence: {
          below,
          above,
          share: (below + above) / rows,
          referenceMin: min,
          referenceMax: max,
          currentMin: lowest,
          currentMax: highest,
        },
      });
    }
    if (positiveInfinity + negativeInfinity > 0) {
      findings.push({
        check: "non_finite_values",
        column: name,
        severity: "warning",
        message: `'${name}' has ${positiveInfinity + negativeInfinity} infinite values (the reference had ${profile.positiveInfinity + profile.negativeInfinity})`,
        evidence: {
          positiveInfinity,
          negativeInfinity,
          referencePositiveInfinity: profile.positiveInfinity,
          referenceNegativeInfinity: profile.negativeInfinity,
        },
      });
    }
  } else if (column.kind === "categorical" && profile.kind === "categorical") {
    const known = new Set(profile.categories.values);
    const perCode = new Float64Array(column.dictionary.length);
    for (const code of column.codes) {
      if (code < 0) missing++;
      else perCode[code] = (perCode[code] as number) + 1;
    }
    const unseen = new Map<string, number>();
    perCode.forEach((c, code) => {
      const value = column.dictionary[code]!;
      if (c > 0 && !known.has(value)) unseen.set(value, (unseen.get(value) ?? 0) + c);
    });
    if (unseen.size > 0) {
      const total = [...unseen.values()].reduce((s, c) => s + c, 0);
      const listed = [...unseen]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, limits.maxListed);
      findings.push({
        check: "unseen_categories",
        column: name,
        severity: "warning",
        message: `'${name}' has ${unseen.size} values the reference never had, in ${total} rows`,
        evidence: {
          distinct: unseen.size,
          rows: total,
          share: total / rows,
          values: listed.map(([v]) => v),
          approximate: profile.categories.errorBound > 0,
        },
      });
    }
  }
  const referenceRate = missingRate(profile);
  const currentRate = missing / rows;
  if (currentRate - referenceRate > limits.missingTolerance) {
    findings.push({
      check: "missing_rate_jump",
      column: name,
      severity: "warning",
      message: `'${name}' is missing in ${(currentRate * 100).toFixed(1)}% of rows, against ${(referenceRate * 100).toFixed(1)}% in the reference`,
      evidence: { referenceRate, currentRate, missing, rows },
    });
  }
  return findings;
}

function lengthOf(column: FeatureColumn): number {
  return column.kind === "numeric" ? column.values.length : column.codes.length;
}

function option(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value >= 0))
    throw invalid(field, `'${field}' must be a finite number >= 0, got ${value}`);
  return value;
}

function invalid(field: string, message: string): PlinthError {
  return new PlinthError("MONITORING_INVALID_INPUT", message, { field });
}
