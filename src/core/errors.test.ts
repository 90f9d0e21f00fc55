import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ERROR_CATALOGUE, invalidArgument, isPlinthError, PlinthError } from "./errors.ts";

const DOC = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");

/** The rows of the code table, as trimmed cells (the file may be padded by the formatter). */
const ROWS = DOC.split("\n")
  .filter((line) => line.startsWith("| `"))
  .map((line) =>
    line
      .split("|")
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );

test("docs/errors.md lists every code with its HTTP status and MLflow code", () => {
  for (const [code, spec] of Object.entries(ERROR_CATALOGUE)) {
    const row = ROWS.find((cells) => cells[0] === `\`${code}\``);
    assert.ok(row, `${code} is missing from docs/errors.md: run scripts/gen-errors-doc.ts`);
    assert.equal(row[1], String(spec.httpStatus), `${code}: HTTP status differs in docs/errors.md`);
    assert.equal(
      row[2],
      `\`${spec.mlflowCode}\``,
      `${code}: MLflow code differs in docs/errors.md`,
    );
  }
  assert.deepEqual(
    ROWS.map((cells) => cells[0]!.replaceAll("`", "")).sort(),
    Object.keys(ERROR_CATALOGUE).sort(),
    "docs/errors.md lists a code that no longer exists",
  );
});

test("statuses are client errors except the server-side codes", () => {
  for (const [code, spec] of Object.entries(ERROR_CATALOGUE)) {
    const serverSide = [
      "INTERNAL",
      "CONFIG_INVALID",
      "METADATA_UNAVAILABLE",
      "METADATA_SCHEMA_TOO_NEW",
      "TRACKING_SERVER_ERROR",
      "ARTIFACTS_MULTIPART_UNSUPPORTED",
      "FEATURES_ONLINE_STORE_UNAVAILABLE",
      "FEATURES_NOT_CONFIGURED",
      "PIPELINES_QUEUE_UNAVAILABLE",
      "PIPELINES_WORKER_FAILED",
      "SERVING_NOT_READY",
      "PREDICTION_LOG_INVALID_SEGMENT",
    ];
    if (serverSide.includes(code)) assert.ok(spec.httpStatus >= 500, code);
    else assert.ok(spec.httpStatus >= 400 && spec.httpStatus < 500, code);
  }
});

test("a PlinthError carries code, status, field and cause", () => {
  const cause = new Error("driver said no");
  const e = new PlinthError("TRACKING_RUN_NOT_FOUND", "Run with id=x not found", {
    field: "run_id",
    cause,
  });
  assert.equal(e.httpStatus, 404);
  assert.equal(e.mlflowCode, "RESOURCE_DOES_NOT_EXIST");
  assert.equal(e.field, "run_id");
  assert.equal(e.cause, cause);
  assert.ok(isPlinthError(e, "TRACKING_RUN_NOT_FOUND"));
  assert.ok(!isPlinthError(e, "INTERNAL"));
  assert.ok(!isPlinthError(new Error("plain")));
  const bad = invalidArgument("max_results", "must be positive");
  assert.equal(bad.code, "INVALID_ARGUMENT");
  assert.match(bad.message, /'max_results'/);
});

test("a PlinthError from another copy of plinth's modules is still instanceof PlinthError", async () => {
  // tsImport loads a fresh copy of the module graph, as importUserModule does for user modules.
  const { tsImport } = await import("tsx/esm/api");
  const copy = (await tsImport("./errors.ts", import.meta.url)) as typeof import("./errors.ts");
  assert.notEqual(copy.PlinthError, PlinthError);
  const foreign = new copy.PlinthError("INVALID_ARGUMENT", "bad", { field: "x" });
  assert.ok(foreign instanceof PlinthError);
  assert.ok(isPlinthError(foreign, "INVALID_ARGUMENT"));
  assert.ok(!(new Error("plain") instanceof PlinthError));
});
