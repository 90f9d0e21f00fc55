// Isotonic calibration against fixtures/sklearn-isotonic.json (scikit-learn 1.2.1; regenerate
// with `/usr/bin/python3 src/monitoring/performance/fixtures/make-fixtures.py`), and CBPE
// against brute force and against labels drawn from the probabilities it assumes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { binaryConfusion } from "../../training/metrics/binary-confusion.ts";
import { rocAuc } from "../../training/metrics/roc-auc.ts";
import { estimateCbpe, estimatedRocAuc, fitCbpe } from "./cbpe.ts";
import { calibrateIsotonic, fitIsotonic } from "./isotonic-calibrator.ts";

interface IsotonicCase {
  name: string;
  scores: number[];
  labels: number[];
  queries: number[];
  expected: number[];
}
const FIXTURE = JSON.parse(
  readFileSync(new URL("./fixtures/sklearn-isotonic.json", import.meta.url), "utf8"),
) as { cases: IsotonicCase[] };

describe("isotonic calibration equals scikit-learn's IsotonicRegression", () => {
  for (const c of FIXTURE.cases) {
    test(c.name, () => {
      const calibrator = fitIsotonic(Float64Array.from(c.scores), Float64Array.from(c.labels));
      const got = calibrateIsotonic(calibrator, Float64Array.from(c.queries));
      c.expected.forEach((e, i) => {
        assert.ok(
          Math.abs(got[i]! - e) <= 1e-12,
          `query ${c.queries[i]}: got ${got[i]}, expected ${e}`,
        );
      });
    });
  }
  test("refuses unusable reference data, naming the array", () => {
    for (const [scores, labels, field] of [
      [[], [], "scores"],
      [[0.1, 0.2], [1], "labels"],
      [[0.1, Number.NaN], [1, 0], "scores"],
      [[0.1, 0.2], [1, 2], "labels"],
    ] as const) {
      assert.throws(
        () => fitIsotonic(Float64Array.from(scores), Float64Array.from(labels)),
        (e: unknown) => isPlinthError(e, "MONITORING_INVALID_INPUT") && e.field === field,
      );
    }
  });
});

const rng = createSeededRandom(17);

/** Scores with labels drawn from `truth(score)`: the world CBPE assumes, made on purpose. */
function world(n: number, truth: (s: number) => number) {
  const scores = new Float64Array(n);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    scores[i] = Math.round(rng.next() * 1000) / 1000;
    labels[i] = rng.next() < truth(scores[i]!) ? 1 : 0;
  }
  return { scores, labels };
}

describe("CBPE", () => {
  test("the estimated AUC is the expected share of correctly ordered pairs (brute force)", () => {
    const { scores } = world(300, (s) => s);
    const p = Float64Array.from(scores, (s) => Math.min(1, Math.max(0, s * 0.9 + 0.05)));
    let ordered = 0;
    let positives = 0;
    for (let i = 0; i < p.length; i++) {
      positives += p[i]!;
      for (let j = 0; j < p.length; j++) {
        const k = scores[j]! > scores[i]! ? 1 : scores[j] === scores[i] ? 0.5 : 0;
        ordered += p[j]! * (1 - p[i]!) * k;
      }
    }
    const expected = ordered / (positives * (p.length - positives));
    assert.ok(Math.abs(estimatedRocAuc(p, scores)! - expected) < 1e-12);
  });

  test("with calibrated scores, estimates land on the realised AUC, precision and recall", () => {
    const reference = world(20_000, (s) => s);
    const cbpe = fitCbpe(reference.scores, reference.labels, "none");
    const current = world(20_000, (s) => s);
    const estimate = estimateCbpe(cbpe, current.scores, { threshold: 0.6 });
    const realised = rocAuc(current.labels, current.scores);
    assert.ok(
      Math.abs(estimate.auc! - realised) < 0.01,
      `estimated ${estimate.auc} vs realised ${realised}`,
    );
    const c = binaryConfusion(current.labels, current.scores, { threshold: 0.6 });
    const precision = c.truePositive / (c.truePositive + c.falsePositive);
    const recall = c.truePositive / (c.truePositive + c.falseNegative);
    assert.ok(
      Math.abs(estimate.precision - precision) < 0.02,
      `precision ${estimate.precision} vs ${precision}`,
    );
    assert.ok(Math.abs(estimate.recall - recall) < 0.02, `recall ${estimate.recall} vs ${recall}`);
  });

  test("isotonic calibration on the reference repairs overconfident scores", () => {
    // The model says s but the truth is √s: raw scores would misestimate badly.
    const truth = (s: number) => Math.sqrt(s);
    const reference = world(20_000, truth);
    const current = world(20_000, truth);
    const raw = estimateCbpe(fitCbpe(reference.scores, reference.labels, "none"), current.scores);
    const calibrated = fitCbpe(reference.scores, reference.labels, "auto");
    assert.notEqual(calibrated.calibrator, null, "auto decides the scores need calibrating");
    const estimate = estimateCbpe(calibrated, current.scores);
    const realised = rocAuc(current.labels, current.scores);
    assert.ok(
      Math.abs(estimate.auc! - realised) < 0.01,
      `calibrated ${estimate.auc} vs realised ${realised}`,
    );
    assert.ok(Math.abs(raw.auc! - realised) > 0.02, `raw ${raw.auc} should be off`);
  });

  test("auto leaves a one-class reference alone; an unknown calibration is refused", () => {
    const calibrated = world(5000, (s) => s);
    const oneClass = { scores: calibrated.scores, labels: new Float64Array(5000) };
    assert.equal(fitCbpe(oneClass.scores, oneClass.labels, "auto").calibrator, null);
    assert.throws(
      () => fitCbpe(calibrated.scores, calibrated.labels, "platt" as "auto"),
      (e: unknown) => isPlinthError(e, "MONITORING_INVALID_INPUT") && e.field === "calibration",
    );
  });
});
