import assert from "node:assert/strict";
import { test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { categorical, numeric } from "../testing/columns.ts";
import { profileColumns } from "./profile-columns.ts";
import { PROFILE_VERSION, profileFromJson, profileToJson } from "./profile-json.ts";

const profile = profileColumns([
  numeric("amount", [1.5, -2, Number.NaN, 1e9, Number.POSITIVE_INFINITY, 0, 3]),
  categorical("merchant", ["a", "b", null, "a", "c", "a", "b"]),
  numeric("empty", [
    Number.NaN,
    Number.NaN,
    Number.NaN,
    Number.NaN,
    Number.NaN,
    Number.NaN,
    Number.NaN,
  ]),
]);

function roundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

test("a profile survives JSON unchanged", () => {
  const back = profileFromJson(roundTrip(profileToJson(profile)));
  assert.deepEqual(back, profile);
  const json = profileToJson(profile);
  assert.equal(json.version, PROFILE_VERSION);
  assert.equal(json.format, "plinth-profile");
});

test("hostile or inconsistent documents are refused naming the field", () => {
  const good = roundTrip(profileToJson(profile)) as Record<string, unknown>;
  // biome-ignore lint/suspicious/noExplicitAny: the test edits arbitrary paths of the document.
  const edit = (change: (doc: any) => void) => {
    const doc = structuredClone(good);
    change(doc);
    return doc;
  };
  const cases: [unknown, string][] = [
    [null, "profile"],
    ["{}", "profile"],
    [edit((d) => (d.version = 2)), "version"],
    [edit((d) => (d.format = "other")), "format"],
    [edit((d) => (d.features[0].count = 8)), "features.0.count"],
    [edit((d) => (d.features[0].moments.mean = "1")), "features.0.moments.mean"],
    [edit((d) => (d.features[0].sketch.counts[0] = 5)), "features.0.sketch.counts"],
    [edit((d) => d.features[0].sketch.buckets.push(1)), "features.0.sketch"],
    [edit((d) => (d.features[0].histogram.edges = [3, 2])), "features.0.histogram"],
    [edit((d) => (d.features[0].distinct.registers = "AAAA")), "features.0.distinct.registers"],
    [edit((d) => (d.features[1].categories.values[1] = "a")), "features.1.categories.values"],
    [edit((d) => (d.features[1].categories.counts[0] = 100)), "features.1.categories.counts"],
    [edit((d) => (d.features[2].name = "amount")), "features.2.name"],
    [edit((d) => (d.features[0].extra = true)), "features.0"],
    [edit((d) => (d.features[0].missing = -1)), "features.0.missing"],
  ];
  for (const [doc, field] of cases) {
    assert.throws(
      () => profileFromJson(doc),
      (e: unknown) => isPlinthError(e, "MONITORING_INVALID_PROFILE") && e.field === field,
      `expected a refusal naming '${field}'`,
    );
  }
});
