import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isPlinthError } from "../core/errors.ts";
import {
  EXPERIMENT_FILTER_GRAMMAR,
  type FilterComparison,
  type FilterGrammar,
  MAX_FILTER_CLAUSES,
  MAX_FILTER_LENGTH,
  MODEL_VERSION_FILTER_GRAMMAR,
  parseOrderBy,
  parseSearchFilter,
  REGISTERED_MODEL_FILTER_GRAMMAR,
  RUN_FILTER_GRAMMAR,
} from "./search-filter.ts";

const runs = (filter: string | undefined) => parseSearchFilter(filter, RUN_FILTER_GRAMMAR);
const versions = (filter: string) => parseSearchFilter(filter, MODEL_VERSION_FILTER_GRAMMAR);
const models = (filter: string) => parseSearchFilter(filter, REGISTERED_MODEL_FILTER_GRAMMAR);
const experiments = (filter: string) => parseSearchFilter(filter, EXPERIMENT_FILTER_GRAMMAR);

/** The one comparison a single-term filter parses to. */
function one(filter: string, grammar: FilterGrammar = RUN_FILTER_GRAMMAR): FilterComparison {
  const parsed = parseSearchFilter(filter, grammar);
  assert.equal(parsed.length, 1, filter);
  return parsed[0]!;
}

/** Asserts `fn` throws TRACKING_INVALID_FILTER on `field` with a message matching `pattern`. */
function rejects(fn: () => unknown, pattern: RegExp, field: "filter" | "order_by" = "filter") {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isPlinthError(e, "TRACKING_INVALID_FILTER"), `expected a PlinthError, got ${e}`);
    assert.equal(e.field, field);
    assert.match(e.message, pattern);
    return true;
  });
}

const rejectsRun = (filter: string, pattern: RegExp) => rejects(() => runs(filter), pattern);

describe("parseSearchFilter: the MLflow client's own filters", () => {
  test("metrics.auc > 0.8 and params.model = 'gbdt'", () => {
    assert.deepEqual(runs("metrics.auc > 0.8 and params.model = 'gbdt'"), [
      { entity: "metric", key: "auc", op: ">", value: 0.8 },
      { entity: "param", key: "model", op: "=", value: "gbdt" },
    ]);
  });

  test("name='client-check-model-1795357148_18199' in both registry searches", () => {
    const want = [
      {
        entity: "attribute",
        key: "name",
        op: "=",
        value: "client-check-model-1795357148_18199",
      },
    ];
    assert.deepEqual(models("name='client-check-model-1795357148_18199'"), want);
    assert.deepEqual(versions("name='client-check-model-1795357148_18199'"), want);
  });

  test("run_id='0132a4a6800c4750872fe5065ff1a1c2' in run and model-version search", () => {
    const want = [
      { entity: "attribute", key: "run_id", op: "=", value: "0132a4a6800c4750872fe5065ff1a1c2" },
    ];
    assert.deepEqual(runs("run_id='0132a4a6800c4750872fe5065ff1a1c2'"), want);
    assert.deepEqual(versions("run_id='0132a4a6800c4750872fe5065ff1a1c2'"), want);
  });

  test("order_by metrics.auc DESC", () => {
    assert.deepEqual(parseOrderBy(["metrics.auc DESC"], RUN_FILTER_GRAMMAR), [
      { entity: "metric", key: "auc", ascending: false },
    ]);
  });
});

describe("parseSearchFilter: empty filters", () => {
  test("undefined, empty and blank filters have no comparisons", () => {
    assert.deepEqual(runs(undefined), []);
    assert.deepEqual(runs(""), []);
    assert.deepEqual(runs("  \t\n "), []);
  });
});

describe("parseSearchFilter: operators per entity", () => {
  const numeric = ["=", "!=", "<", "<=", ">", ">="] as const;
  const strings = ["=", "!=", "LIKE", "ILIKE"] as const;

  test("metrics take the six numeric comparisons", () => {
    for (const op of numeric) {
      assert.deepEqual(one(`metrics.auc ${op} 1`), { entity: "metric", key: "auc", op, value: 1 });
    }
  });

  test("metrics refuse LIKE, ILIKE, IN and NOT IN", () => {
    rejectsRun("metrics.auc LIKE 1", /operator LIKE is not allowed on metric 'auc'/);
    rejectsRun("metrics.auc ILIKE 1", /operator ILIKE is not allowed/);
    rejectsRun("metrics.auc IN ('1')", /operator IN is not allowed.*=, !=, <, <=, >, >=/);
    rejectsRun("metrics.auc NOT IN ('1')", /operator NOT IN is not allowed/);
  });

  test("params and tags take =, !=, LIKE and ILIKE", () => {
    for (const op of strings) {
      assert.deepEqual(one(`params.model ${op} 'g%'`), {
        entity: "param",
        key: "model",
        op,
        value: "g%",
      });
      assert.deepEqual(one(`tags.team ${op} 'risk'`), {
        entity: "tag",
        key: "team",
        op,
        value: "risk",
      });
    }
  });

  test("params and tags refuse ordering comparisons and lists (MLflow 2.12)", () => {
    for (const op of ["<", "<=", ">", ">="]) {
      rejectsRun(
        `params.lr ${op} '1'`,
        /is not allowed on param 'lr'; expected one of =, !=, LIKE/,
      );
      rejectsRun(`tags.t ${op} '1'`, /is not allowed on tag 't'/);
    }
    rejectsRun("params.model IN ('a')", /operator IN is not allowed on param 'model'/);
    rejectsRun("tags.team NOT IN ('a')", /operator NOT IN is not allowed on tag 'team'/);
  });

  test("string run attributes take =, !=, LIKE and ILIKE", () => {
    for (const key of ["run_id", "run_name", "status", "user_id", "artifact_uri"]) {
      for (const op of strings) {
        assert.deepEqual(one(`attributes.${key} ${op} 'x'`), {
          entity: "attribute",
          key,
          op,
          value: "x",
        });
      }
      rejectsRun(`attributes.${key} > 'x'`, /operator > is not allowed on attribute/);
    }
  });

  test("only run_id takes IN and NOT IN in run search", () => {
    assert.deepEqual(one("attributes.run_id IN ('a', 'b')").value, ["a", "b"]);
    assert.deepEqual(one("attributes.run_id NOT IN ('a')"), {
      entity: "attribute",
      key: "run_id",
      op: "NOT IN",
      value: ["a"],
    });
    for (const key of ["run_name", "status", "user_id", "artifact_uri"]) {
      rejectsRun(`attributes.${key} IN ('a')`, /operator IN is not allowed on attribute/);
    }
  });

  test("numeric run attributes take numeric comparisons only", () => {
    for (const key of ["start_time", "end_time"]) {
      for (const op of numeric) {
        assert.deepEqual(one(`attributes.${key} ${op} 1700000000000`), {
          entity: "attribute",
          key,
          op,
          value: 1_700_000_000_000,
        });
      }
      rejectsRun(`attributes.${key} LIKE 1`, /operator LIKE is not allowed/);
      rejectsRun(`attributes.${key} IN ('1')`, /operator IN is not allowed/);
    }
  });

  test("model versions: string attributes, version_number, run_id IN, tags", () => {
    for (const key of ["name", "run_id", "source_path"]) {
      for (const op of strings)
        assert.equal(one(`${key} ${op} 'x'`, MODEL_VERSION_FILTER_GRAMMAR).op, op);
    }
    for (const op of numeric) {
      assert.deepEqual(one(`version_number ${op} 3`, MODEL_VERSION_FILTER_GRAMMAR), {
        entity: "attribute",
        key: "version_number",
        op,
        value: 3,
      });
    }
    assert.deepEqual(versions("run_id IN ('r1', 'r2')")[0]!.value, ["r1", "r2"]);
    assert.deepEqual(versions("tags.stage = 'prod' and attribute.name ILIKE 'm%'"), [
      { entity: "tag", key: "stage", op: "=", value: "prod" },
      { entity: "attribute", key: "name", op: "ILIKE", value: "m%" },
    ]);
    rejects(() => versions("run_id NOT IN ('r1')"), /operator NOT IN is not allowed/);
    rejects(() => versions("name IN ('a')"), /operator IN is not allowed on attribute 'name'/);
    rejects(() => versions("tags.stage < 'b'"), /operator < is not allowed on tag/);
    rejects(() => versions("version_number LIKE '3'"), /operator LIKE is not allowed/);
    rejects(() => versions("metrics.auc > 1"), /unknown prefix 'metrics'/);
    rejects(() => versions("source = 'x'"), /unknown attribute 'source'.*source_path/);
  });

  test("registered models: name and tags only", () => {
    for (const op of strings) {
      assert.equal(one(`name ${op} 'm'`, REGISTERED_MODEL_FILTER_GRAMMAR).op, op);
      assert.equal(one(`tags.k ${op} 'v'`, REGISTERED_MODEL_FILTER_GRAMMAR).op, op);
    }
    rejects(() => models("name IN ('a')"), /operator IN is not allowed/);
    rejects(() => models("name > 'a'"), /operator > is not allowed/);
    rejects(
      () => models("version_number = 1"),
      /unknown attribute 'version_number'; expected one of name/,
    );
    rejects(() => models("creation_timestamp > 1"), /unknown attribute 'creation_timestamp'/);
    rejects(() => models("params.x = 'y'"), /unknown prefix 'params'/);
  });

  test("experiments: name, creation_time, last_update_time and tags", () => {
    assert.deepEqual(experiments("name LIKE 's-%' and creation_time >= 5 and tags.team = 'a'"), [
      { entity: "attribute", key: "name", op: "LIKE", value: "s-%" },
      { entity: "attribute", key: "creation_time", op: ">=", value: 5 },
      { entity: "tag", key: "team", op: "=", value: "a" },
    ]);
    assert.equal(one("attribute.last_update_time < 9", EXPERIMENT_FILTER_GRAMMAR).value, 9);
    rejects(() => experiments("name IN ('a')"), /operator IN is not allowed/);
    rejects(() => experiments("creation_time LIKE 1"), /operator LIKE is not allowed/);
    rejects(() => experiments("experiment_id = '1'"), /unknown attribute 'experiment_id'/);
    rejects(() => experiments("tags.t > 'a'"), /operator > is not allowed on tag/);
  });
});

describe("parseSearchFilter: keys and prefixes", () => {
  test("every MLflow run-search prefix alias maps to its entity", () => {
    const cases: Array<[string, FilterComparison["entity"], string]> = [
      ["metric.auc > 1", "metric", "auc"],
      ["metrics.auc > 1", "metric", "auc"],
      ["param.m = 'x'", "param", "m"],
      ["params.m = 'x'", "param", "m"],
      ["parameter.m = 'x'", "param", "m"],
      ["parameters.m = 'x'", "param", "m"],
      ["tag.t = 'x'", "tag", "t"],
      ["tags.t = 'x'", "tag", "t"],
      ["attribute.status = 'x'", "attribute", "status"],
      ["attributes.status = 'x'", "attribute", "status"],
      ["attr.status = 'x'", "attribute", "status"],
      ["run.status = 'x'", "attribute", "status"],
      ["`metrics`.auc > 1", "metric", "auc"],
    ];
    for (const [filter, entity, key] of cases) {
      const c = one(filter);
      assert.deepEqual([c.entity, c.key], [entity, key], filter);
    }
  });

  test("prefixes are case-sensitive, as in MLflow", () => {
    rejectsRun("METRICS.auc > 1", /unknown prefix 'METRICS'; expected one of metrics, metric/);
    rejectsRun("Tags.t = 'x'", /unknown prefix 'Tags'/);
  });

  test("registry and experiment searches accept only attribute., tag. and tags.", () => {
    for (const grammar of [
      MODEL_VERSION_FILTER_GRAMMAR,
      REGISTERED_MODEL_FILTER_GRAMMAR,
      EXPERIMENT_FILTER_GRAMMAR,
    ]) {
      assert.equal(one("attribute.name = 'a'", grammar).key, "name");
      assert.equal(one("tag.k = 'a'", grammar).entity, "tag");
      assert.equal(one("tags.k = 'a'", grammar).entity, "tag");
      for (const prefix of ["attributes", "attr", "run", "params", "metrics"]) {
        rejects(
          () => parseSearchFilter(`${prefix}.name = 'a'`, grammar),
          new RegExp(`unknown prefix '${prefix}'; expected one of tags, tag, attribute`),
        );
      }
    }
  });

  test("dataset filters are refused with a clear message", () => {
    rejectsRun(
      "datasets.name = 'd'",
      /unknown prefix 'datasets' \(dataset filters are not supported\)/,
    );
    rejectsRun("dataset.digest = 'd'", /dataset filters are not supported/);
  });

  test("backtick- and double-quoted keys may hold dots, spaces and other characters", () => {
    assert.deepEqual(one("metrics.`my.metric` > 1"), {
      entity: "metric",
      key: "my.metric",
      op: ">",
      value: 1,
    });
    assert.equal(one("tags.\"a b\" = 'x'").key, "a b");
    assert.equal(one("params.`learning-rate` = '0.1'").key, "learning-rate");
    assert.equal(one("tags.\"mlflow.runName\" = 'x'").key, "mlflow.runName");
    assert.equal(one("tags.`it``s` = 'x'").key, "it`s");
    assert.equal(one('tags."say ""hi""" = \'x\'').key, 'say "hi"');
  });

  test("an unquoted dotted key runs up to the operator", () => {
    assert.equal(one("tags.mlflow.runName = 'x'").key, "mlflow.runName");
    assert.equal(one("metrics.a.b.c>1").key, "a.b.c");
    assert.equal(one("params.α_1 = 'x'").key, "α_1");
  });

  test("keys that need quoting point at the fix", () => {
    rejectsRun(
      "metrics.my-metric > 1",
      /position 10 near '-metric': expected a comparison operator .*quote keys .* backticks/,
    );
  });

  test("empty and missing keys are refused", () => {
    rejectsRun("metrics.`` > 1", /expected a non-empty key/);
    rejectsRun("tags.\"\" = 'x'", /expected a non-empty key/);
    rejectsRun("metrics. > 1", /position 8 near '>': expected a key after 'metrics.'/);
    rejectsRun("= 'x'", /position 0 near '=': expected a key: metrics.<key>, params.<key>/);
  });

  test("run attribute aliases resolve to canonical names", () => {
    assert.deepEqual(one("attributes.created > 5"), {
      entity: "attribute",
      key: "start_time",
      op: ">",
      value: 5,
    });
    assert.equal(one("Created < 5").key, "start_time");
    assert.equal(one("attributes.`run name` = 'r'").key, "run_name");
    assert.equal(one("attributes.\"Run name\" = 'r'").key, "run_name");
    assert.equal(one("`Run Name` LIKE 'r%'").key, "run_name");
    // Aliases are exact, as in MLflow's translate_key_alias.
    rejectsRun("attributes.CREATED > 5", /unknown attribute 'CREATED'/);
    rejectsRun("attributes.`RUN NAME` = 'r'", /unknown attribute 'RUN NAME'/);
    // An alias keeps its canonical attribute's type.
    rejectsRun("created = 'x'", /expected a number for attribute 'start_time'/);
  });

  test("bare identifiers are attributes in every MLflow search", () => {
    assert.deepEqual(one("status = 'FINISHED'"), {
      entity: "attribute",
      key: "status",
      op: "=",
      value: "FINISHED",
    });
    assert.equal(one("start_time > 0").key, "start_time");
    assert.equal(one("\"name\" = 'm'", REGISTERED_MODEL_FILTER_GRAMMAR).key, "name");
  });

  test("a grammar may require prefixes", () => {
    const strict: FilterGrammar = { ...RUN_FILTER_GRAMMAR, bareIdentifiersAreAttributes: false };
    assert.equal(parseSearchFilter("attributes.status = 'x'", strict).length, 1);
    rejects(
      () => parseSearchFilter("status = 'x'", strict),
      /near 'status': expected a prefixed key: metrics.<key>, params.<key>, tags.<key> or attributes.<name>/,
    );
  });

  test("unknown attributes list the allowed ones", () => {
    rejectsRun(
      "attributes.foo = 'x'",
      /position 0 near 'attributes.foo': unknown attribute 'foo'; expected one of run_id, run_name, status, user_id, artifact_uri, start_time, end_time/,
    );
    rejectsRun("lifecycle_stage = 'active'", /unknown attribute 'lifecycle_stage'/);
  });

  test("Object.prototype names are not attributes, prefixes or aliases", () => {
    for (const key of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      rejectsRun(`attributes.${key} = 'x'`, new RegExp(`unknown attribute '${key}'`));
      rejectsRun(`${key} = 'x'`, new RegExp(`unknown attribute '${key}'`));
      rejectsRun(`${key}.x = 'x'`, new RegExp(`unknown prefix '${key}'`));
    }
  });

  test("an entity the search does not have is refused", () => {
    const noMetrics: FilterGrammar = {
      ...RUN_FILTER_GRAMMAR,
      entities: new Set(["param", "tag", "attribute"]),
    };
    rejects(
      () => parseSearchFilter("metrics.auc > 1", noMetrics),
      /near 'metrics.auc': metrics cannot be used in this search's filter/,
    );
  });
});

describe("parseSearchFilter: values", () => {
  test("strings in single or double quotes", () => {
    assert.equal(one("params.m = 'gbdt'").value, "gbdt");
    assert.equal(one('params.m = "gbdt"').value, "gbdt");
    assert.equal(one("params.m = ''").value, "");
    assert.equal(one("params.m = 'a \"b\" c'").value, 'a "b" c');
    assert.equal(one('params.m = "it\'s"').value, "it's");
    assert.equal(one("tags.t = 'and OR in'").value, "and OR in");
    assert.equal(one("tags.t = '  padded  '").value, "  padded  ");
  });

  test("quote escapes: doubled quotes and backslash-quote; other backslashes stay", () => {
    assert.equal(one("params.m = 'it''s'").value, "it's");
    assert.equal(one('params.m = "say ""hi"""').value, 'say "hi"');
    assert.equal(one("params.m = 'it\\'s'").value, "it's");
    assert.equal(one("params.m = 'back\\\\slash'").value, "back\\slash");
    assert.equal(one("params.m LIKE 'a\\_b%'").value, "a\\_b%");
    assert.equal(one("tags.p = 'C:\\Users\\x'").value, "C:\\Users\\x");
  });

  test("numbers: integers, negatives, floats and exponents", () => {
    const cases: Array<[string, number]> = [
      ["0", 0],
      ["42", 42],
      ["-3", -3],
      ["0.8", 0.8],
      ["-0.25", -0.25],
      [".5", 0.5],
      ["-.5", -0.5],
      ["1.", 1],
      ["1e3", 1000],
      ["1E3", 1000],
      ["1.5e-3", 0.0015],
      ["-2.5E+2", -250],
      ["007", 7],
      ["1700000000123", 1_700_000_000_123],
    ];
    for (const [text, value] of cases) {
      assert.equal(one(`metrics.m >= ${text}`).value, value, text);
      assert.equal(one(`attributes.end_time < ${text}`).value, value, text);
    }
  });

  test("malformed numbers are refused", () => {
    for (const text of [
      "1.2.3",
      "1abc",
      "0x10",
      "1e",
      "1e+",
      "- 1",
      "+1",
      "-",
      ".",
      "1e999",
      "1..2",
    ]) {
      rejectsRun(`metrics.m > ${text}`, /position 12 near '.*': expected a (finite )?number/);
    }
  });

  test("a metric value must be a number", () => {
    rejectsRun(
      "metrics.auc > '0.8'",
      /position 14 near ''0.8'': expected a number for metric 'auc' \(not a quoted string\)/,
    );
    rejectsRun('metrics.auc > "0.8"', /expected a number for metric 'auc'/);
    rejectsRun("metrics.auc > high", /near 'high': expected a number for metric 'auc'/);
    rejectsRun("metrics.auc > NaN", /expected a number/);
  });

  test("param and tag values must be quoted strings, even when numeric", () => {
    rejectsRun(
      "params.lr = 0.1",
      /^Invalid filter at position 12 near '0\.1': expected a quoted string for param 'lr' \(MLflow compares it as text: write '0\.1'\)$/,
    );
    rejectsRun(
      "tags.v = -3e2",
      /expected a quoted string for tag 'v' \(MLflow compares it as text: write '-3e2'\)/,
    );
    rejectsRun("params.model = gbdt", /near 'gbdt': expected a quoted string/);
    rejectsRun("params.model = `gbdt`", /near '`gbdt`': expected a quoted string/);
    rejectsRun(
      "params.model = ('a')",
      /expected a quoted string; a list goes only with IN or NOT IN/,
    );
  });

  test("string attributes take quoted strings, numeric attributes numbers", () => {
    rejectsRun("attributes.status = 1", /expected a quoted string for attribute 'status'/);
    rejectsRun("run_id = ('a')", /a list goes only with IN or NOT IN/);
    rejectsRun("attributes.start_time > '5'", /expected a number for attribute 'start_time'/);
    rejects(
      () => versions("version_number = '3'"),
      /expected a number for attribute 'version_number'/,
    );
    rejects(
      () => experiments("creation_time > 'x'"),
      /expected a number for attribute 'creation_time'/,
    );
  });

  test("IN lists of quoted strings", () => {
    assert.deepEqual(one("run_id IN ('a')").value, ["a"]);
    assert.deepEqual(one("run_id IN ('a','b','c')").value, ["a", "b", "c"]);
    assert.deepEqual(one("run_id IN ( \"a\" , 'b' )").value, ["a", "b"]);
    assert.deepEqual(one("run_id IN ('a,b', 'c)')").value, ["a,b", "c)"]);
    assert.deepEqual(one("run_id IN('a')").value, ["a"]);
    // MLflow reads the list with Python's literal_eval, which allows one trailing comma.
    assert.deepEqual(one("run_id IN ('a', 'b',)").value, ["a", "b"]);
  });

  test("malformed IN lists are refused", () => {
    rejectsRun(
      "run_id IN ()",
      /position 11 near '\)': expected a non-empty list of quoted strings/,
    );
    rejectsRun("run_id IN ( )", /expected a non-empty list/);
    rejectsRun("run_id IN (,)", /expected a quoted string in the list/);
    rejectsRun("run_id IN ('a',,'b')", /expected a quoted string in the list/);
    rejectsRun("run_id IN ('a' 'b')", /expected ',' or '\)' in the list/);
    rejectsRun("run_id IN ('a', 1)", /near '1\)': expected a quoted string in the list/);
    rejectsRun("run_id IN (a)", /expected a quoted string in the list/);
    rejectsRun("run_id IN ('a'", /\(at the end\): expected ',' or '\)' in the list/);
    rejectsRun("run_id IN 'a'", /expected a parenthesised list of quoted strings/);
    rejectsRun("run_id IN", /\(at the end\): expected a parenthesised list/);
  });
});

describe("parseSearchFilter: keywords and whitespace", () => {
  test("keywords are case-insensitive and operators come back upper-case", () => {
    assert.deepEqual(
      runs(
        "params.a like 'x' and params.b Ilike 'y' AND run_id in ('r') And run_id NoT   iN ('s') aNd tags.t LIKE 'z'",
      ).map((c) => c.op),
      ["LIKE", "ILIKE", "IN", "NOT IN", "LIKE"],
    );
  });

  test("whitespace is optional around symbols and free elsewhere", () => {
    const want = [
      { entity: "metric", key: "auc", op: ">=", value: 0.8 },
      { entity: "param", key: "m", op: "!=", value: "x" },
    ];
    assert.deepEqual(runs("metrics.auc>=0.8 and params.m!='x'"), want);
    assert.deepEqual(runs("\n\tmetrics.auc\t>=\n0.8\r\nAND   params.m  !=  'x'  "), want);
    assert.deepEqual(runs("metrics.auc >= 0.8 and params.m != 'x'"), want);
  });

  test("a quoted value may touch the following AND", () => {
    assert.equal(runs("params.a = 'x'and params.b = 'y'").length, 2);
  });
});

describe("parseSearchFilter: errors", () => {
  test("messages quote the token and its position and say what was expected", () => {
    rejectsRun(
      "params.m = 'x' and metric.auc 0.5",
      /^Invalid filter at position 30 near '0\.5': expected a comparison operator \(=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN\)$/,
    );
  });

  test("OR is not supported", () => {
    rejectsRun(
      "metrics.auc > 1 OR metrics.auc < 0",
      /position 16 near 'OR': OR is not supported; MLflow filters combine comparisons with AND only/,
    );
    rejectsRun("metrics.auc > 1 or metrics.auc < 0", /OR is not supported/);
  });

  test("missing operator", () => {
    rejectsRun("metrics.auc", /position 11 \(at the end\): expected a comparison operator/);
    rejectsRun("params.m 'x'", /position 9 near ''x'': expected a comparison operator/);
  });

  test("operators MLflow does not have", () => {
    rejectsRun("metrics.auc == 1", /near '==': expected a comparison operator/);
    rejectsRun("metrics.auc <> 1", /near '<>': expected a comparison operator/);
    rejectsRun("metrics.auc => 1", /near '=>': expected a comparison operator/);
    rejectsRun(
      "params.m NOT LIKE 'x'",
      /expected IN after NOT \(NOT LIKE and NOT ILIKE are not supported\)/,
    );
    rejectsRun("params.m IS NULL", /near 'IS': IS NULL and IS NOT NULL are not supported/);
    rejectsRun("params.m IS NOT NULL", /IS NULL and IS NOT NULL are not supported/);
    rejectsRun("params.m BETWEEN 'a'", /near 'BETWEEN': expected a comparison operator/);
  });

  test("missing value", () => {
    rejectsRun("metrics.auc >", /position 13 \(at the end\): expected a number for metric 'auc'/);
    rejectsRun("params.m =", /\(at the end\): expected a quoted string/);
    rejectsRun("params.m = and params.n = 'x'", /near 'and': expected a quoted string/);
    rejects(() => models("name = "), /\(at the end\): expected a quoted string/);
  });

  test("unterminated strings and quoted keys", () => {
    rejectsRun(
      "params.m = 'gbdt",
      /position 11 near ''gbdt': unterminated string: expected a closing '/,
    );
    rejectsRun('params.m = "gbdt', /unterminated string: expected a closing "/);
    rejectsRun("params.m = 'it\\'", /unterminated string/);
    rejectsRun(
      "metrics.`auc > 1",
      /position 8 near '`auc > 1': unterminated string: expected a closing `/,
    );
    rejectsRun("tags.\"a b = 'x'", /unterminated string/);
    rejectsRun("run_id IN ('a", /unterminated string/);
  });

  test("trailing tokens", () => {
    rejectsRun(
      "metrics.auc > 1 garbage",
      /position 16 near 'garbage': expected AND or the end of the filter/,
    );
    rejectsRun("metrics.auc > 1 1", /expected AND or the end/);
    rejectsRun("params.m = 'x' 'y'", /expected AND or the end/);
    rejectsRun("params.m = 'x';", /near ';': expected AND or the end/);
    rejectsRun("run_id IN ('a') )", /near '\)': expected AND or the end/);
  });

  test("dangling and doubled AND", () => {
    rejectsRun(
      "metrics.auc > 1 and",
      /position 19 \(at the end\): expected a comparison after AND/,
    );
    rejectsRun("metrics.auc > 1 and  ", /expected a comparison after AND/);
    rejectsRun("metrics.auc > 1 and and metrics.x > 1", /unknown attribute 'and'/);
    rejectsRun("and metrics.auc > 1", /unknown attribute 'and'/);
  });

  test("parentheses around comparisons are not part of the grammar", () => {
    rejectsRun("(metrics.auc > 1)", /position 0 near '\(metrics.auc': expected a key/);
  });

  test("a filter over 10,000 characters is refused before scanning", () => {
    const ok = `params.m = '${"x".repeat(MAX_FILTER_LENGTH - 13)}'`;
    assert.equal(ok.length, MAX_FILTER_LENGTH);
    assert.equal(runs(ok).length, 1);
    rejectsRun(`${ok} `, /Invalid filter: it is 10001 characters long; the limit is 10000/);
  });

  test("more than 100 comparisons are refused", () => {
    const terms = (n: number) =>
      Array.from({ length: n }, (_, i) => `metrics.m${i} > ${i}`).join(" and ");
    assert.equal(runs(terms(MAX_FILTER_CLAUSES)).length, MAX_FILTER_CLAUSES);
    rejectsRun(
      terms(MAX_FILTER_CLAUSES + 1),
      /near 'metrics.m100': expected at most 100 comparisons/,
    );
  });

  test("hostile input fails fast with an error", () => {
    const megabyte = 1024 * 1024;
    for (const unit of ["'", '"', "(", "`", "('", "\\'", "a ", "metrics.a > 1 and "]) {
      rejectsRun(unit.repeat(megabyte / unit.length), /Invalid filter: it is \d+ characters long/);
    }
    // Just under the length limit, the scanner still sees every character once.
    const near = MAX_FILTER_LENGTH - 20;
    rejectsRun(
      `run_id IN (${"'a',".repeat(near / 4)}`,
      /\(at the end\): expected a quoted string in the list/,
    );
    rejectsRun(`run_id IN (${"'".repeat(near)}`, /unterminated string|expected ','/);
    rejectsRun(`params.m = '${"\\'".repeat(near / 2)}`, /unterminated string/);
    rejectsRun(`params.m = '${"''".repeat(near / 2)}`, /unterminated string/);
    rejectsRun("(".repeat(near), /expected a key/);
    rejectsRun(`metrics.${"a.".repeat(near / 2)} > 1`, /expected a comparison operator/);
    rejectsRun(`metrics.m > ${"9".repeat(near)}`, /expected a finite number/);
    rejectsRun(`metrics.m > ${"1".repeat(near)}e`, /expected a finite number/);
    rejectsRun(" ".repeat(near) + "x", /unknown attribute 'x'/);
  });

  test("a non-string filter is refused", () => {
    rejects(
      () => parseSearchFilter(42 as unknown as string, RUN_FILTER_GRAMMAR),
      /must be a string/,
    );
  });
});

describe("parseOrderBy", () => {
  test("no clauses", () => {
    assert.deepEqual(parseOrderBy(undefined, RUN_FILTER_GRAMMAR), []);
    assert.deepEqual(parseOrderBy([], RUN_FILTER_GRAMMAR), []);
  });

  test("ascending by default; ASC and DESC in any case", () => {
    assert.deepEqual(
      parseOrderBy(
        [
          "metrics.auc DESC",
          "attributes.start_time",
          "params.m asc",
          "tags.t desc",
          "end_time Asc",
        ],
        RUN_FILTER_GRAMMAR,
      ),
      [
        { entity: "metric", key: "auc", ascending: false },
        { entity: "attribute", key: "start_time", ascending: true },
        { entity: "param", key: "m", ascending: true },
        { entity: "tag", key: "t", ascending: false },
        { entity: "attribute", key: "end_time", ascending: true },
      ],
    );
  });

  test("quoted keys, aliases and whitespace", () => {
    assert.deepEqual(
      parseOrderBy(
        ["metrics.`my metric` DESC", '  tags."a.b"\tASC  ', "created DESC", "attr.`Run Name`"],
        RUN_FILTER_GRAMMAR,
      ),
      [
        { entity: "metric", key: "my metric", ascending: false },
        { entity: "tag", key: "a.b", ascending: true },
        { entity: "attribute", key: "start_time", ascending: false },
        { entity: "attribute", key: "run_name", ascending: true },
      ],
    );
  });

  test("registry and experiment searches order by attributes only", () => {
    assert.deepEqual(
      parseOrderBy(["name ASC", "last_updated_timestamp DESC"], REGISTERED_MODEL_FILTER_GRAMMAR),
      [
        { entity: "attribute", key: "name", ascending: true },
        { entity: "attribute", key: "last_updated_timestamp", ascending: false },
      ],
    );
    assert.deepEqual(parseOrderBy(["timestamp DESC"], REGISTERED_MODEL_FILTER_GRAMMAR), [
      { entity: "attribute", key: "last_updated_timestamp", ascending: false },
    ]);
    assert.deepEqual(
      parseOrderBy(
        ["version_number DESC", "attribute.creation_timestamp"],
        MODEL_VERSION_FILTER_GRAMMAR,
      ),
      [
        { entity: "attribute", key: "version_number", ascending: false },
        { entity: "attribute", key: "creation_timestamp", ascending: true },
      ],
    );
    assert.deepEqual(
      parseOrderBy(["experiment_id", "last_update_time DESC"], EXPERIMENT_FILTER_GRAMMAR),
      [
        { entity: "attribute", key: "experiment_id", ascending: true },
        { entity: "attribute", key: "last_update_time", ascending: false },
      ],
    );
    rejects(
      () => parseOrderBy(["tags.k DESC"], REGISTERED_MODEL_FILTER_GRAMMAR),
      /^Invalid order_by\[0\] at position 0 near 'tags.k': tags cannot be used in this search's order_by; expected an attribute \(name, creation_timestamp, last_updated_timestamp\)$/,
      "order_by",
    );
    rejects(
      () => parseOrderBy(["tags.k"], EXPERIMENT_FILTER_GRAMMAR),
      /tags cannot be used/,
      "order_by",
    );
    rejects(
      () => parseOrderBy(["run_id"], MODEL_VERSION_FILTER_GRAMMAR),
      /unknown attribute 'run_id'/,
      "order_by",
    );
    rejects(
      () => parseOrderBy(["source_path"], MODEL_VERSION_FILTER_GRAMMAR),
      /unknown attribute/,
      "order_by",
    );
  });

  test("malformed clauses name the clause and the position", () => {
    const bad = (clause: string, pattern: RegExp) =>
      rejects(
        () => parseOrderBy(["name", clause], REGISTERED_MODEL_FILTER_GRAMMAR),
        pattern,
        "order_by",
      );
    bad("", /^Invalid order_by\[1\] at position 0 \(at the end\): expected a key/);
    bad("   ", /order_by\[1\] at position 3 \(at the end\): expected a key/);
    bad("creation_timestamp UP", /order_by\[1\] at position 19 near 'UP': expected ASC or DESC/);
    bad(
      "creation_timestamp DESC NULLS LAST",
      /position 24 near 'NULLS': expected the end of the clause/,
    );
    bad("creation_timestamp, name", /position 18 near ',': expected ASC or DESC/);
    bad(
      "foo",
      /unknown attribute 'foo'; expected one of name, creation_timestamp, last_updated_timestamp/,
    );
    bad("`creation_timestamp DESC", /unterminated string/);
    rejects(
      () => parseOrderBy(["METRICS.auc"], RUN_FILTER_GRAMMAR),
      /unknown prefix 'METRICS'/,
      "order_by",
    );
  });

  test("a key may appear once, aliases included", () => {
    rejects(
      () => parseOrderBy(["name", "name DESC"], REGISTERED_MODEL_FILTER_GRAMMAR),
      /order_by\[1\] at position 0 near 'name': this key already appears in an earlier order_by clause/,
      "order_by",
    );
    rejects(
      () => parseOrderBy(["start_time", "created DESC"], RUN_FILTER_GRAMMAR),
      /already appears/,
      "order_by",
    );
    rejects(
      () => parseOrderBy(["last_updated_timestamp", "timestamp"], REGISTERED_MODEL_FILTER_GRAMMAR),
      /already appears/,
      "order_by",
    );
    // The same key under different entities is fine.
    assert.equal(parseOrderBy(["metrics.x", "params.x", "tags.x"], RUN_FILTER_GRAMMAR).length, 3);
  });

  test("limits on count and length; hostile clauses fail fast", () => {
    const many = Array.from({ length: MAX_FILTER_CLAUSES + 1 }, (_, i) => `metrics.m${i}`);
    assert.equal(parseOrderBy(many.slice(1), RUN_FILTER_GRAMMAR).length, MAX_FILTER_CLAUSES);
    rejects(
      () => parseOrderBy(many, RUN_FILTER_GRAMMAR),
      /101 clauses; the limit is 100/,
      "order_by",
    );
    rejects(
      () => parseOrderBy(["`".repeat(1024 * 1024)], RUN_FILTER_GRAMMAR),
      /order_by\[0\]: longer than 10000 characters/,
      "order_by",
    );
    rejects(
      () => parseOrderBy(["`".repeat(9999)], RUN_FILTER_GRAMMAR),
      /unterminated string/,
      "order_by",
    );
  });
});

describe("grammars", () => {
  test("are frozen", () => {
    for (const grammar of [
      RUN_FILTER_GRAMMAR,
      MODEL_VERSION_FILTER_GRAMMAR,
      REGISTERED_MODEL_FILTER_GRAMMAR,
      EXPERIMENT_FILTER_GRAMMAR,
    ]) {
      assert.ok(Object.isFrozen(grammar));
      assert.ok(Object.isFrozen(grammar.attributes));
    }
  });
});
