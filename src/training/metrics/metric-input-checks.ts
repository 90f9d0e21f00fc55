import { invalidArgument, PlinthError } from "../../core/errors.ts";

// Every metric validates its arrays up front, so a bad batch fails with the argument's name
// instead of quietly returning NaN into an early-stopping comparison.

/** Throws TRAINING_INVALID_DATA naming `field`. */
export function invalidData(field: string, message: string): never {
  throw new PlinthError("TRAINING_INVALID_DATA", message, { field });
}

/** Refuses an empty `first` array and any array in `others` whose length differs from it. */
export function requireSameLength(
  first: [string, ArrayLike<number>],
  ...others: [string, ArrayLike<number>][]
): number {
  const [firstName, firstValues] = first;
  const n = firstValues.length;
  if (n === 0) invalidData(firstName, `'${firstName}' is empty; a metric needs at least one row`);
  for (const [name, values] of others) {
    if (values.length !== n) {
      invalidData(name, `'${name}' has ${values.length} values; '${firstName}' has ${n}`);
    }
  }
  return n;
}

/** Refuses NaN and ±Infinity, naming the first offending row. */
export function requireFinite(name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v))
      invalidData(name, `'${name}' row ${i} is ${v}; expected a finite number`);
  }
}

/**
 * Refuses anything but exactly 0 and 1: a 0/1 label is the only encoding every binary metric
 * agrees on, and accepting e.g. -1/1 would silently treat -1 as positive in some formulas.
 */
export function requireBinaryLabels(name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v !== 0 && v !== 1)
      invalidData(name, `'${name}' row ${i} is ${v}; binary labels must be 0 or 1`);
  }
}

/** Refuses values outside [0, 1] (and NaN), as scikit-learn's brier_score_loss does. */
export function requireProbabilities(name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!(v >= 0 && v <= 1)) {
      invalidData(name, `'${name}' row ${i} is ${v}; expected a probability in [0, 1]`);
    }
  }
}

/**
 * Checks optional row weights against `n` rows and returns their total (n when absent).
 * A zero total is refused because every weighted mean would divide by it.
 */
export function requireWeights(weight: Float64Array | undefined, n: number): number {
  if (weight === undefined) return n;
  if (weight.length !== n)
    invalidData("weight", `'weight' has ${weight.length} values; expected ${n}`);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weight[i] as number;
    if (!(Number.isFinite(w) && w >= 0)) {
      invalidData("weight", `'weight' row ${i} is ${w}; expected a finite number >= 0`);
    }
    total += w;
  }
  if (total <= 0) invalidData("weight", "'weight' sums to 0; at least one row must count");
  return total;
}

/** Refuses a cut-off or bin count that is not a whole number >= 1. */
export function requirePositiveInteger(name: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 1)) {
    throw invalidArgument(name, `expected an integer >= 1, got ${value}`);
  }
}
