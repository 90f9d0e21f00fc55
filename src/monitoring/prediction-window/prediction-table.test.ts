import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { makeRecord } from "../../serving/prediction-log/testing/make-record.ts";
import { computeDrift } from "../drift/compute-drift.ts";
import { profileColumns } from "../profile/profile-columns.ts";
import { checkDataQuality } from "../quality/check-data-quality.ts";
import { entityKey, predictionTable } from "./prediction-table.ts";

describe("predictionTable", () => {
  test("features become numeric or categorical columns, outputs numeric columns, at the timestamp", () => {
    const records = Array.from({ length: 40 }, (_, i) => makeRecord(i, 1000 + i));
    const table = predictionTable(records);
    assert.equal(table.rows, 40);
    assert.deepEqual(
      table.columns.map((c) => [c.name, c.kind]),
      [
        ["amount", "numeric"],
        ["hour", "numeric"],
        ["country", "categorical"],
        ["ratio", "numeric"],
        ["score", "numeric"],
        ["probabilities[0]", "numeric"],
        ["probabilities[1]", "numeric"],
      ],
    );
    assert.equal(table.prediction, "score");
    assert.deepEqual([...table.timestamp!.slice(0, 3)], [1000, 1001, 1002]);
    assert.ok(table.label!.every((y) => Number.isNaN(y)));
    const country = table.columns[2]!;
    assert.ok(country.kind === "categorical");
    assert.deepEqual(country.dictionary, ["FR", "DE", "US"]);
    assert.equal(country.codes[3], -1);
    const ratio = table.columns[3]!;
    assert.ok(
      ratio.kind === "numeric" && Number.isNaN(ratio.values[0]!) && ratio.values[1] === 1 / 3,
    );
    assert.equal(table.requestIds[5], "r5");
    assert.equal(table.entityKeys[5], '{"card":"c-5","user_id":5}');
    // Monitoring's own code runs on it unchanged.
    const profile = profileColumns(table.columns);
    assert.equal(profile.rows, 40);
    const drift = computeDrift({
      reference: table.columns,
      current: table.columns,
      prediction: "score",
    });
    assert.equal(drift.datasetDrift, false);
    assert.deepEqual(checkDataQuality(profile, table.columns), []);
  });

  test("missing features, mixed types, forced categories, name clashes and the prediction choice", () => {
    const a = {
      ...makeRecord(0, 1),
      features: { x: 1, y: "a", score: 3 },
      outputs: { score: 0.2 },
    };
    const b = {
      ...makeRecord(1, 2),
      features: { x: null, y: 2 },
      outputs: { score: 0.9, extra: [1, 2] },
    };
    const c = { ...makeRecord(2, 3), features: { z: 5 }, outputs: { probabilities: [0.1, 0.9] } };
    const table = predictionTable([a, b, c], { categorical: ["z"] });
    const byName = new Map(table.columns.map((col) => [col.name, col]));
    const x = byName.get("x")!;
    assert.ok(x.kind === "numeric");
    assert.deepEqual([...x.values].map(String), ["1", "NaN", "NaN"]);
    const y = byName.get("y")!;
    assert.ok(y.kind === "categorical");
    assert.deepEqual([...y.codes], [0, 1, -1]);
    assert.deepEqual(y.dictionary, ["a", "2"]);
    assert.equal(byName.get("z")!.kind, "categorical");
    assert.equal(table.prediction, "output.score");
    assert.ok(byName.has("score") && byName.has("output.score") && byName.has("extra[1]"));
    assert.equal(predictionTable([c]).prediction, "probabilities[1]");
    assert.equal(predictionTable([b], { prediction: "extra[0]" }).prediction, "extra[0]");
    assert.throws(
      () => predictionTable([b], { prediction: "nope" }),
      (e: unknown) => isPlinthError(e, "MONITORING_INVALID_INPUT") && e.field === "prediction",
    );
    const empty = predictionTable([]);
    assert.equal(empty.rows, 0);
    assert.deepEqual(empty.columns, []);
    assert.equal(empty.prediction, null);
  });

  test("entity keys are canonical whatever the key order", () => {
    assert.equal(entityKey({ b: 1, a: "x" }), entityKey({ a: "x", b: 1 }));
    assert.notEqual(entityKey({ a: 1 }), entityKey({ a: "1" }));
  });
});
