import assert from "node:assert/strict";
import { type ErrorCode, isPlinthError } from "../../../core/errors.ts";

/** Asserts that `run` throws a PlinthError with `code` and `field`. */
export function assertThrowsCode(run: () => unknown, code: ErrorCode, field: string): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(isPlinthError(e), `expected a PlinthError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.field, field, e.message);
    return true;
  });
}
