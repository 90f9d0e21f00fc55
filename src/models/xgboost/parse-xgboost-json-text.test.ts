import assert from "node:assert/strict";
import { test } from "node:test";
import { throwsWithCode } from "../testing/throws-with-code.ts";
import { parseXgboostJsonText } from "./parse-xgboost-json-text.ts";

test("bare non-finite tokens become strings; text inside strings is untouched", () => {
  const text = '{"a":[NaN,-Infinity,Infinity,1E-1],"b":"NaN \\"Infinity\\" -Infinity","NaN":-1}';
  assert.deepEqual(parseXgboostJsonText(text), {
    a: ["NaN", "-Infinity", "Infinity", 0.1],
    b: 'NaN "Infinity" -Infinity',
    NaN: -1,
  });
});

test("plain JSON passes through; invalid JSON is a MODELS_INVALID_PACKAGE", () => {
  assert.deepEqual(parseXgboostJsonText('{"x":[1,2]}'), { x: [1, 2] });
  throwsWithCode(() => parseXgboostJsonText('{"x": Nan}'), "MODELS_INVALID_PACKAGE", "$");
  throwsWithCode(() => parseXgboostJsonText("[NaNa]"), "MODELS_INVALID_PACKAGE", "$");
});
