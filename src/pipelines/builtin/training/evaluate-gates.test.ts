import assert from "node:assert/strict";
import { test } from "node:test";
import { createSeededRandom } from "../../../core/seeded-random.ts";
import { holdoutMask } from "./build-training-set.ts";
import { evaluateGates, type HoldoutScorer, regressionOf } from "./evaluate-gates.ts";
import { parseGates } from "./training-config.ts";

/** A scorer over fixed values: metric -> [candidate, champion], per slice when given. */
function scorer(
  values: Record<string, [number, number | undefined]>,
  slices: Record<
    string,
    { rows: number; values: Record<string, [number, number | undefined]> }
  > = {},
  championError?: string,
): HoldoutScorer {
  const bySize = new Map(Object.values(slices).map((s) => [s.rows, s]));
  const pick = (metric: string, rows?: Int32Array) =>
    (rows === undefined ? values : (bySize.get(rows.length)?.values ?? {}))[metric];
  return {
    candidate: (metric, rows) => {
      const v = pick(metric, rows);
      if (v === undefined) throw new Error(`no ${metric}`);
      return v[0];
    },
    champion: (metric, rows) => {
      if (championError !== undefined) throw new Error(championError);
      return pick(metric, rows)?.[1];
    },
    sliceValues: () => new Map(Object.entries(slices).map(([k, s]) => [k, new Int32Array(s.rows)])),
  };
}

test("regressions follow the metric's direction", () => {
  assert.ok(Math.abs(regressionOf("auc", 0.8, 0.85) - 0.05) < 1e-12);
  assert.ok(Math.abs(regressionOf("rmse", 1.2, 1.0) - 0.2) < 1e-12);
  assert.ok(regressionOf("rmse", 0.9, 1.0) < 0);
});

test("thresholds, champion comparisons and slices decide together", () => {
  const gates = parseGates(
    JSON.stringify({
      thresholds: [{ metric: "auc", min: 0.7, max: 0.99 }],
      vsChampion: [
        { metric: "auc", maxRegression: 0.02 },
        { metric: "logloss", maxRegression: 0 },
      ],
      slices: { column: "region", metric: "auc", min: 0.6, maxRegression: 0.05, minRows: 10 },
    }),
    "binary",
  );
  const pass = evaluateGates(
    gates,
    scorer(
      { auc: [0.8, 0.81], logloss: [0.4, 0.41] },
      {
        north: { rows: 50, values: { auc: [0.75, 0.77] } },
        tiny: { rows: 3, values: { auc: [0.1, 0.9] } },
      },
    ),
  );
  assert.equal(pass.passed, true, JSON.stringify(pass.decisions));
  assert.deepEqual(
    pass.slices?.rows.map((r) => [r.value, r.passed, r.reason]),
    [
      ["north", true, "ok"],
      ["tiny", null, "fewer than 10 rows"],
    ],
  );
  const fail = evaluateGates(
    gates,
    scorer(
      { auc: [0.8, 0.83], logloss: [0.42, 0.41] },
      { north: { rows: 50, values: { auc: [0.55, 0.7] } } },
    ),
  );
  assert.equal(fail.passed, false);
  assert.deepEqual(
    fail.decisions.map((d) => d.passed),
    [true, false, false, false],
  );
  assert.match(fail.slices?.rows[0]?.reason ?? "", /below min 0.6; worse than the champion by 0.1/);
});

test("no champion passes champion gates; an unscorable champion fails them", () => {
  const gates = parseGates("", "regression");
  assert.deepEqual(gates.vsChampion, [{ metric: "rmse", maxRegression: 0 }]);
  const none = evaluateGates(gates, scorer({ rmse: [1, undefined] }));
  assert.equal(none.passed, true);
  assert.equal(none.decisions[0]?.evidence.note, "no champion yet");
  const broken = evaluateGates(gates, scorer({ rmse: [1, 2] }, {}, "missing feature 'f9'"));
  assert.equal(broken.passed, false);
  assert.match(String(broken.decisions[0]?.evidence.error), /missing feature 'f9'/);
});

test("the holdout is the latest rows by time, as a brute-force sort picks them", () => {
  const rng = createSeededRandom(3);
  for (let trial = 0; trial < 50; trial++) {
    const n = 2 + rng.nextInt(60);
    const times = Array.from({ length: n }, () =>
      rng.next() < 0.1 ? null : new Date(Date.UTC(2024, 0, 1 + rng.nextInt(10))),
    );
    const fraction = 0.05 + rng.next() * 0.9;
    const mask = holdoutMask(times, fraction);
    const expected = Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
    assert.equal(
      mask.reduce((a, b) => a + b, 0),
      expected,
    );
    // Every held-out row is at least as late as every training row (nulls oldest).
    const t = (i: number) => times[i]?.getTime() ?? Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (mask[i] === 1 && mask[j] === 0) {
          assert.ok(t(i) > t(j) || (t(i) === t(j) && i > j), `trial ${trial}: row ${i} vs ${j}`);
        }
      }
    }
  }
  assert.throws(() => holdoutMask([new Date()], 0.2), /at least 2/);
});
