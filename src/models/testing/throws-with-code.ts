import assert from "node:assert/strict";
import { type ErrorCode, isPlinthError } from "../../core/errors.ts";

/** Asserts that `fn` throws a PlinthError of `code`, with `field` when given. */
export function throwsWithCode(fn: () => unknown, code: ErrorCode, field?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isPlinthError(e), `expected a PlinthError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (field !== undefined) assert.equal(e.field, field, e.message);
    return true;
  });
}
