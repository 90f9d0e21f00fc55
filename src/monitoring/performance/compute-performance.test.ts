import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { expectedCalibrationError } from "../../training/metrics/expected-calibration-error.ts";
import { logLoss } from "../../training/metrics/log-loss.ts";
import { rmse } from "../../training/metrics/rmse.ts";
import { rocAuc } from "../../training/metrics/roc-auc.ts";
import { categorical } from "../testing/columns.ts";
import { fitCbpe } from "./cbpe.ts";
import { computePerformance } from "./compute-performance.ts";
import { joinLabelsByEntity, joinLabelsById } from "./join-labels.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 5, 1);

/** Six hours of binary traffic; labels arrive for the first four hours only, hour 3 is empty. */
function traffic() {
  const rng = createSeededRandom(23);
  const n = 3000;
  const prediction = new Float64Array(n);
  const label = new Float64Array(n);
  const timestamp = new Float64Array(n);
  const country: string[] = [];
  for (let i = 0; i < n; i++) {
    let hour = Math.floor((i / n) * 6);
    if (hour === 3) hour = 2;
    timestamp[i] = T0 + hour * HOUR + Math.floor(rng.next() * HOUR);
    prediction[i] = rng.next();
    label[i] = hour < 4 ? (rng.next() < prediction[i]! ? 1 : 0) : Number.NaN;
    country.push(rng.next() < 0.7 ? "de" : "fr");
  }
  return { prediction, label, timestamp, country };
}

describe("performance by window", () => {
  const t = traffic();
  const report = computePerformance({
    task: "binary",
    prediction: t.prediction,
    label: t.label,
    timestamp: t.timestamp,
    windowMs: HOUR,
    threshold: 0.7,
    slices: [categorical("country", t.country)],
    cbpe: fitCbpe(t.prediction.subarray(0, 1000), t.label.subarray(0, 1000), "none"),
  });

  test("covers every hour, the empty one included, with label coverage", () => {
    assert.equal(report.overall.length, 6);
    assert.deepEqual(
      report.overall.map((w) => w.start),
      [0, 1, 2, 3, 4, 5].map((h) => T0 + h * HOUR),
    );
    assert.equal(report.overall[3]!.rows, 0);
    assert.deepEqual(report.overall[3]!.notes, ["no rows in this window"]);
    assert.equal(report.overall[0]!.labelCoverage, 1);
    assert.equal(report.overall[5]!.labelCoverage, 0);
    assert.equal(report.overall[5]!.metrics.auc, null);
    assert.deepEqual(report.overall[5]!.notes, ["no labels have arrived yet"]);
  });

  test("realised metrics equal the metrics of the window's rows, computed directly", () => {
    for (const w of report.overall.filter((x) => x.labelled > 0)) {
      const rows = [...t.timestamp.keys()].filter(
        (i) => t.timestamp[i]! >= w.start && t.timestamp[i]! < w.end,
      );
      const y = Float64Array.from(rows, (i) => t.label[i]!);
      const p = Float64Array.from(rows, (i) => t.prediction[i]!);
      assert.equal(w.metrics.auc, rocAuc(y, p));
      assert.equal(w.metrics.logLoss, logLoss(y, p));
      assert.equal(w.metrics.ece, expectedCalibrationError(y, p));
      const predicted = rows.filter((i) => t.prediction[i]! >= 0.7);
      const tp = predicted.filter((i) => t.label[i] === 1).length;
      assert.equal(w.metrics.precision, tp / predicted.length);
      assert.equal(w.metrics.recall, tp / rows.filter((i) => t.label[i] === 1).length);
      assert.equal(
        w.reliability!.reduce((s, b) => s + b.count, 0),
        rows.length,
      );
    }
  });

  test("CBPE estimates sit beside realised AUC, and exist before labels arrive", () => {
    const first = report.overall[0]!;
    assert.ok(Math.abs(first.estimated!.auc! - first.metrics.auc!) < 0.05);
    assert.ok(report.overall[5]!.estimated!.auc! > 0.6, "estimated without any label");
  });

  test("slices split every window by value", () => {
    assert.deepEqual(report.slices.map((s) => s.value).sort(), ["de", "fr"]);
    report.overall.forEach((w, i) => {
      assert.equal(report.slices[0]!.windows[i]!.rows + report.slices[1]!.windows[i]!.rows, w.rows);
    });
    assert.deepEqual(report.omittedSliceValues, { country: 0 });
  });
});

describe("bad rows are counted, not thrown", () => {
  test("NaN and out-of-range predictions, invalid labels, missing timestamps", () => {
    const report = computePerformance({
      task: "binary",
      prediction: Float64Array.of(0.2, Number.NaN, 1.5, 0.9, 0.4, Number.POSITIVE_INFINITY),
      label: Float64Array.of(0, 1, 1, 1, 7, Number.NaN),
      timestamp: Float64Array.of(T0, T0, T0, T0, T0, Number.NaN),
      windowMs: HOUR,
    });
    const w = report.overall[0]!;
    assert.deepEqual(
      {
        rows: w.rows,
        scored: w.scored,
        invalidPredictions: w.invalidPredictions,
        labelled: w.labelled,
        invalidLabels: w.invalidLabels,
      },
      { rows: 5, scored: 3, invalidPredictions: 2, labelled: 2, invalidLabels: 1 },
    );
    assert.equal(report.rowsWithoutTimestamp, 1);
    assert.equal(w.metrics.auc, 1);
  });

  test("one class among the labels: AUC is null with the reason", () => {
    const report = computePerformance({
      task: "binary",
      prediction: Float64Array.of(0.2, 0.8),
      label: Float64Array.of(1, 1),
      timestamp: Float64Array.of(T0, T0),
      windowMs: HOUR,
    });
    assert.equal(report.overall[0]!.metrics.auc, null);
    assert.ok(
      report.overall[0]!.notes.includes(
        "AUC needs both classes; the labelled rows are all positive",
      ),
    );
  });

  test("regression gets RMSE and MAE; no timestamps at all gives no windows", () => {
    const report = computePerformance({
      task: "regression",
      prediction: Float64Array.of(1, 2, 3),
      label: Float64Array.of(1.5, Number.NaN, 2),
      timestamp: Float64Array.of(T0, T0 + 1, T0 + 2),
      windowMs: HOUR,
    });
    assert.equal(
      report.overall[0]!.metrics.rmse,
      rmse(Float64Array.of(1.5, 2), Float64Array.of(1, 3)),
    );
    const none = computePerformance({
      task: "regression",
      prediction: Float64Array.of(1),
      label: Float64Array.of(1),
      timestamp: Float64Array.of(Number.NaN),
      windowMs: HOUR,
    });
    assert.deepEqual(none.overall, []);
  });

  test("malformed input names the field", () => {
    const base = {
      task: "binary" as const,
      prediction: Float64Array.of(0.5),
      label: Float64Array.of(1),
      timestamp: Float64Array.of(T0),
      windowMs: HOUR,
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ label: Float64Array.of(1, 0) }, "label"],
      [{ timestamp: new Float64Array(0) }, "timestamp"],
      [{ windowMs: 0 }, "windowMs"],
      [{ windowMs: Number.NaN }, "windowMs"],
      [{ task: "ranking" }, "task"],
      [{ threshold: Number.POSITIVE_INFINITY }, "threshold"],
      [{ calibrationBins: 0 }, "calibrationBins"],
      [{ origin: T0 + 1 }, "origin"],
      [
        {
          prediction: Float64Array.of(0.5, 0.5),
          label: Float64Array.of(1, 1),
          timestamp: Float64Array.of(0, 1e15),
          windowMs: 1,
        },
        "windowMs",
      ],
      [{ slices: [categorical("c", ["a", "b"])] }, "slices.c"],
    ];
    for (const [change, field] of cases) {
      assert.throws(
        () => computePerformance({ ...base, ...change } as typeof base),
        (e: unknown) => isPlinthError(e, "MONITORING_INVALID_INPUT") && e.field === field,
        field,
      );
    }
  });
});

describe("label joins", () => {
  test("by request id: unknown ids and repeated labels are counted", () => {
    const joined = joinLabelsById(
      ["r1", "r2", "r3"],
      ["r2", "r9", "r2", "r1"],
      Float64Array.of(1, 0, 0, 1),
    );
    assert.deepEqual([...joined.label], [1, 0, Number.NaN]);
    assert.deepEqual(
      {
        matched: joined.matched,
        unmatched: joined.unmatched,
        sample: joined.unmatchedSample,
        replaced: joined.replaced,
      },
      { matched: 2, unmatched: 1, sample: ["r9"], replaced: 1 },
    );
  });

  test("by entity and time: the latest prediction at or before the label, within the delay", () => {
    const joined = joinLabelsByEntity(
      { entity: ["u1", "u1", "u2"], time: Float64Array.of(100, 200, 100) },
      {
        entity: ["u1", "u1", "u2", "u3", "u2"],
        time: Float64Array.of(150, 260, 50, 500, 5000),
        value: Float64Array.of(1, 0, 1, 1, 1),
      },
      { maxDelayMs: 1000 },
    );
    assert.deepEqual([...joined.label], [1, 0, Number.NaN]);
    assert.equal(joined.unmatched, 3, "before any prediction, unknown entity, too late");
    assert.throws(
      () => joinLabelsById(["a"], ["a", "b"], Float64Array.of(1)),
      (e: unknown) => isPlinthError(e, "MONITORING_INVALID_INPUT") && e.field === "labels",
    );
  });
});
