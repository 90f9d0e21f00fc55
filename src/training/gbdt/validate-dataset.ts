import { PlinthError } from "../../core/errors.ts";
import type { FeatureColumn, TrainingDataset } from "../dataset/training-dataset.ts";

/**
 * Refuses data a trainer cannot learn from, naming the column: empty data, mismatched
 * lengths, infinite values, out-of-dictionary codes, constant features, bad weights or
 * groups. `reference` is the training set a validation set must match column for column.
 */
export function validateTrainingDataset(
  data: TrainingDataset,
  role: "train" | "validation",
  reference?: TrainingDataset,
): void {
  const n = data.numRows;
  if (!Number.isInteger(n) || n < 1) fail(role, `${role} data has no rows`);
  if (data.features.length === 0) fail(role, `${role} data has no feature columns`);
  const names = new Set<string>();
  data.features.forEach((column, index) => {
    if (names.has(column.name)) fail(column.name, `Feature '${column.name}' appears twice`);
    names.add(column.name);
    checkColumn(column, n, role);
    const expected = reference?.features[index];
    if (
      reference !== undefined &&
      (expected?.name !== column.name || expected.kind !== column.kind)
    ) {
      fail(
        column.name,
        `${role} feature ${index} is '${column.name}' (${column.kind}) but training has '${expected?.name}' (${expected?.kind})`,
      );
    }
    if (
      expected?.kind === "categorical" &&
      column.kind === "categorical" &&
      expected.dictionary.some((v, i) => column.dictionary[i] !== v)
    ) {
      fail(
        column.name,
        `${role} column '${column.name}' has a different category dictionary than training`,
      );
    }
  });
  if (reference !== undefined && data.features.length !== reference.features.length) {
    fail(
      role,
      `${role} data has ${data.features.length} features; training has ${reference.features.length}`,
    );
  }
  if (data.label.length !== n)
    fail("label", `Column 'label' has ${data.label.length} values; expected ${n}`);
  if (data.weight !== undefined) {
    if (data.weight.length !== n)
      fail("weight", `Column 'weight' has ${data.weight.length} values; expected ${n}`);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = data.weight[i] as number;
      if (!Number.isFinite(w) || w < 0)
        fail("weight", `Weight at row ${i} is ${w}; expected a finite number >= 0`);
      total += w;
    }
    if (total <= 0) fail("weight", "All weights are 0");
  }
  if (data.group !== undefined) checkGroups(data.group, n);
}

function checkColumn(column: FeatureColumn, n: number, role: string): void {
  const length = column.kind === "numeric" ? column.values.length : column.codes.length;
  if (length !== n)
    fail(column.name, `Column '${column.name}' has ${length} values; expected ${n}`);
  let first = Number.NaN;
  let varies = false;
  if (column.kind === "numeric") {
    for (let i = 0; i < n; i++) {
      const x = column.values[i] as number;
      if (x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY) {
        fail(column.name, `Column '${column.name}' row ${i} is ${x}; use NaN for a missing value`);
      }
      if (Number.isNaN(x)) continue;
      if (Number.isNaN(first)) first = x;
      else if (x !== first) varies = true;
    }
  } else {
    const levels = column.dictionary.length;
    for (let i = 0; i < n; i++) {
      const code = column.codes[i] as number;
      if (code < -1 || code >= levels) {
        fail(
          column.name,
          `Column '${column.name}' row ${i}: code ${code} is outside its dictionary of ${levels}`,
        );
      }
      if (code === -1) continue;
      if (Number.isNaN(first)) first = code;
      else if (code !== first) varies = true;
    }
  }
  // A constant column cannot split anything; it is almost always a join or export mistake.
  if (role === "train" && !varies) {
    fail(
      column.name,
      `Feature '${column.name}' is constant (or entirely missing) in the training data; drop it`,
    );
  }
}

function checkGroups(group: Int32Array, n: number): void {
  if (group.length !== n) fail("group", `Column 'group' has ${group.length} values; expected ${n}`);
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const g = group[i] as number;
    if (i > 0 && g === group[i - 1]) continue;
    if (seen.has(g))
      fail("group", `Query group ${g} is split: rows of one group must be contiguous (row ${i})`);
    seen.add(g);
  }
}

function fail(field: string, message: string): never {
  throw new PlinthError("TRAINING_INVALID_DATA", message, { field });
}
