import { readdirSync, readFileSync } from "node:fs";
import type { TreeEnsemble } from "../tree-ensemble.ts";
import { importXgboostJson } from "../xgboost/import-xgboost-json.ts";

const DIR = new URL("../xgboost/fixtures/", import.meta.url);

/** One model from `xgboost/fixtures` (see generate-fixtures.py) and what XGBoost predicted. */
export interface XgboostFixture {
  readonly name: string;
  readonly objective: string;
  readonly modelText: string;
  readonly ensemble: TreeEnsemble;
  readonly numRows: number;
  readonly numFeatures: number;
  readonly rows: Float64Array;
  readonly margin: Float64Array;
  readonly prediction: Float64Array;
  readonly contribs: Float64Array;
  /** XGBoost `get_score` by importance type, then feature name. */
  readonly importance: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly categoryCounts?: Readonly<Record<string, number>>;
}

let cache: XgboostFixture[] | undefined;

/** Every fixture, imported once per test process. */
export function loadXgboostFixtures(): XgboostFixture[] {
  cache ??= readdirSync(DIR)
    .filter((file) => file.endsWith(".model.json"))
    .sort()
    .map((file) => {
      const name = file.slice(0, -".model.json".length);
      const modelText = readFileSync(new URL(file, DIR), "utf8");
      const expected = JSON.parse(readFileSync(new URL(`${name}.expected.json`, DIR), "utf8"));
      const numbers = (values: (number | null)[]): Float64Array =>
        Float64Array.from(values, (v) => (v === null ? Number.NaN : v));
      return {
        name,
        objective: expected.objective,
        modelText,
        ensemble: importXgboostJson(
          modelText,
          expected.categoryCounts ? { categoryCounts: expected.categoryCounts } : {},
        ),
        numRows: expected.numRows,
        numFeatures: expected.numFeatures,
        rows: numbers(expected.rows),
        margin: numbers(expected.margin),
        prediction: numbers(expected.prediction),
        contribs: numbers(expected.contribs),
        importance: expected.importance,
        categoryCounts: expected.categoryCounts,
      };
    });
  return cache;
}
