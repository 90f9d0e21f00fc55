import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { categorical, numeric } from "../testing/columns.ts";
import { computeDrift } from "./compute-drift.ts";

const rng = createSeededRandom(5);
const normal = (n: number, shift = 0) =>
  Float64Array.from({ length: n }, () => {
    let s = 0;
    for (let i = 0; i < 12; i++) s += rng.next();
    return s - 6 + shift;
  });

function refuses(run: () => unknown, field: string): void {
  assert.throws(
    run,
    (e: unknown) => isPlinthError(e, "MONITORING_INVALID_INPUT") && e.field === field,
    field,
  );
}

describe("the drift table", () => {
  test("tests each column, counts dropped NaN and infinities, and reaches a dataset verdict", () => {
    const shifted = normal(300, 1);
    shifted[0] = Number.NaN;
    shifted[1] = Number.POSITIVE_INFINITY;
    const table = computeDrift({
      reference: [
        numeric("a", normal(300)),
        numeric("b", normal(300)),
        categorical("c", Array(300).fill("x")),
      ],
      current: [
        numeric("a", shifted),
        numeric("b", normal(300)),
        categorical("c", Array(300).fill("x")),
      ],
    });
    const [a, b, c] = table.columns;
    assert.equal(a!.stattest, "ks");
    assert.equal(a!.drifted, true);
    assert.deepEqual(a!.current, { rows: 300, used: 298, missing: 1, infinite: 1 });
    assert.equal(b!.drifted, false);
    assert.equal(c!.stattest, "z");
    assert.equal(c!.score, 1);
    assert.deepEqual(
      { tested: table.tested, drifted: table.drifted, datasetDrift: table.datasetDrift },
      { tested: 3, drifted: 1, datasetDrift: false },
    );
    assert.ok(Math.abs(table.share - 1 / 3) < 1e-15);
  });

  test("switches to distances above 1000 reference rows and includes the prediction", () => {
    const table = computeDrift({
      reference: [numeric("amount", normal(2000)), numeric("score", normal(2000))],
      current: [numeric("amount", normal(2000)), numeric("score", normal(2000, 0.5))],
      prediction: "score",
    });
    assert.deepEqual(
      table.columns.map((r) => [r.column, r.role, r.stattest, r.scoreKind, r.drifted]),
      [
        ["amount", "feature", "wasserstein", "distance", false],
        ["score", "prediction", "wasserstein", "distance", true],
      ],
    );
    assert.equal(table.datasetDrift, true, "half the columns drifted: Evidently's >= 0.5");
  });

  test("overrides apply per column, then per kind, then to all", () => {
    const xy = Array.from({ length: 500 }, (_, i) => (i % 3 === 0 ? "x" : "y"));
    const reference = [numeric("a", normal(500)), numeric("b", normal(500)), categorical("c", xy)];
    const current = [numeric("a", normal(500)), numeric("b", normal(500)), categorical("c", xy)];
    const table = computeDrift({
      reference,
      current,
      options: {
        all: { stattest: "psi", threshold: 0.2 },
        numeric: { stattest: "wasserstein" },
        columns: { a: { stattest: "jensenshannon", threshold: 0.01 } },
        driftShare: 0.3,
      },
    });
    assert.deepEqual(
      table.columns.map((r) => [r.stattest, r.threshold]),
      [
        ["jensenshannon", 0.01],
        ["wasserstein", 0.2],
        ["psi", 0.2],
      ],
    );
    assert.equal(table.driftShare, 0.3);
  });

  test("skips, with a reason, what cannot be tested instead of failing", () => {
    const table = computeDrift({
      reference: [
        numeric("gone", [1, 2, 3]),
        numeric("all-nan", [Number.NaN, Number.NaN, Number.NaN]),
        numeric("kind", [1, 2, 3]),
        numeric("ok", [1, 2, 3]),
      ],
      current: [
        numeric("all-nan", [1, 2]),
        categorical("kind", ["a", "b"]),
        numeric("ok", [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]),
        numeric("new", [1, 2]),
      ],
    });
    const reasons = Object.fromEntries(table.columns.map((r) => [r.column, [r.status, r.reason]]));
    assert.deepEqual(reasons, {
      gone: ["skipped", "'gone' is in the reference but missing from the current data"],
      "all-nan": ["skipped", "the reference has no finite values in 'all-nan'"],
      kind: ["skipped", "'kind' is numeric in the reference but categorical in the current data"],
      ok: ["skipped", "the current has no finite values in 'ok'"],
      new: ["skipped", "'new' is in the current data but not in the reference"],
    });
    assert.deepEqual(
      { tested: table.tested, share: table.share, datasetDrift: table.datasetDrift },
      {
        tested: 0,
        share: 0,
        datasetDrift: false,
      },
    );
  });

  test("a window with no rows is reported, not thrown", () => {
    const table = computeDrift({
      reference: [numeric("a", normal(100))],
      current: [numeric("a", [])],
    });
    assert.equal(table.columns[0]!.status, "skipped");
    assert.deepEqual(table.columns[0]!.current, { rows: 0, used: 0, missing: 0, infinite: 0 });
  });
});

describe("bad input", () => {
  const reference = [numeric("a", [1, 2, 3]), categorical("c", ["x", "y", "x"])];
  const current = [numeric("a", [1, 2]), categorical("c", ["x", "y"])];
  test("names the field at fault", () => {
    refuses(
      () => computeDrift({ reference: [numeric("a", [1]), numeric("b", [1, 2])], current }),
      "reference.b",
    );
    refuses(
      () => computeDrift({ reference: [numeric("a", [1]), numeric("a", [2])], current }),
      "reference.a",
    );
    const badCodes = {
      kind: "categorical" as const,
      name: "c",
      codes: Int32Array.of(0, 5),
      dictionary: ["x"],
    };
    refuses(
      () => computeDrift({ reference, current: [numeric("a", [1, 2]), badCodes] }),
      "current.c",
    );
    refuses(() => computeDrift({ reference, current, prediction: "nope" }), "prediction");
    refuses(
      () => computeDrift({ reference, current, options: { all: { stattest: "t-test" as "ks" } } }),
      "all.stattest",
    );
    refuses(
      () => computeDrift({ reference, current, options: { numeric: { threshold: Number.NaN } } }),
      "numeric.threshold",
    );
    refuses(
      () => computeDrift({ reference, current, options: { all: { threshold: -1 } } }),
      "all.threshold",
    );
    refuses(() => computeDrift({ reference, current, options: { driftShare: 1.5 } }), "driftShare");
    refuses(
      () =>
        computeDrift({ reference, current, options: { columns: { typo: { threshold: 0.1 } } } }),
      "columns.typo",
    );
    refuses(
      () => computeDrift({ reference, current, options: { columns: { c: { stattest: "ks" } } } }),
      "columns.c.stattest",
    );
    refuses(
      () => computeDrift({ reference, current, options: { all: { stattest: "wasserstein" } } }),
      "columns.c.stattest",
    );
  });
});
