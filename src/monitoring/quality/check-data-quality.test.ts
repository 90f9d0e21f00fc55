import assert from "node:assert/strict";
import { test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { profileColumns } from "../profile/profile-columns.ts";
import { categorical, numeric } from "../testing/columns.ts";
import { checkDataQuality } from "./check-data-quality.ts";

const reference = profileColumns([
  numeric("amount", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
  categorical("merchant", ["a", "b", "a", "c", "a", "b", null, "a", "b", "c"]),
  numeric("age", [20, 30, 40, 50, 60, 25, 35, 45, 55, 65]),
  numeric("dropped", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
]);

test("finds every kind of problem, with its evidence", () => {
  const findings = checkDataQuality(reference, [
    numeric("amount", [0, 5, 11, 12, Number.NaN, Number.NaN, Number.POSITIVE_INFINITY, 3]),
    categorical("merchant", ["a", "z", "z", "y", "b", "a", "a", "a"]),
    categorical("age", ["20", "30", "40", "50", "60", "70", "80", "90"]),
    numeric("new", [1, 2, 3, 4, 5, 6, 7, 8]),
  ]);
  const byCheck = Object.fromEntries(findings.map((f) => [`${f.check}:${f.column}`, f]));
  assert.deepEqual(Object.keys(byCheck).sort(), [
    "extra_column:new",
    "missing_column:dropped",
    "missing_rate_jump:amount",
    "non_finite_values:amount",
    "out_of_range:amount",
    "type_mismatch:age",
    "unseen_categories:merchant",
  ]);
  assert.deepEqual(byCheck["out_of_range:amount"]!.evidence, {
    below: 1,
    above: 2,
    share: 3 / 8,
    referenceMin: 1,
    referenceMax: 10,
    currentMin: 0,
    currentMax: 12,
  });
  assert.deepEqual(byCheck["unseen_categories:merchant"]!.evidence, {
    distinct: 2,
    rows: 3,
    share: 3 / 8,
    values: ["z", "y"],
    approximate: false,
  });
  assert.equal(byCheck["missing_rate_jump:amount"]!.evidence.currentRate, 0.25);
  assert.equal(byCheck["type_mismatch:age"]!.severity, "error");
  assert.equal(byCheck["missing_column:dropped"]!.severity, "error");
  assert.equal(byCheck["non_finite_values:amount"]!.evidence.positiveInfinity, 1);
});

test("clean data has no findings; tolerances widen what is accepted", () => {
  const clean = [
    numeric("amount", [2, 3, 9]),
    categorical("merchant", ["a", "c", null]),
    numeric("age", [21, 22, 64]),
    numeric("dropped", [5, 5, 5]),
  ];
  assert.deepEqual(checkDataQuality(reference, clean, { missingRateTolerance: 0.3 }), []);
  const slightly = [...clean.slice(1), numeric("amount", [10.5, 0.6, 2])];
  assert.equal(checkDataQuality(reference, slightly, { missingRateTolerance: 0.3 }).length, 1);
  assert.deepEqual(
    checkDataQuality(reference, slightly, { missingRateTolerance: 0.3, rangeTolerance: 0.1 }),
    [],
  );
});

test("an empty window is a finding, not a crash; bad options are refused", () => {
  const findings = checkDataQuality(reference, [
    numeric("amount", []),
    categorical("merchant", []),
    numeric("age", []),
    numeric("dropped", []),
  ]);
  assert.deepEqual(
    findings.map((f) => f.check),
    ["empty_window"],
  );
  for (const [options, field] of [
    [{ missingRateTolerance: -1 }, "missingRateTolerance"],
    [{ rangeTolerance: Number.NaN }, "rangeTolerance"],
    [{ maxListed: 1.5 }, "maxListed"],
  ] as const) {
    assert.throws(
      () => checkDataQuality(reference, [], options),
      (e: unknown) => isPlinthError(e, "MONITORING_INVALID_INPUT") && e.field === field,
    );
  }
});
