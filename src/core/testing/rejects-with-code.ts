import assert from "node:assert/strict";
import { type ErrorCode, isPlinthError } from "../errors.ts";

/** Asserts that `promise` rejects with a PlinthError of `code` (and `field`, when given). */
export function rejectsWithCode(
  promise: Promise<unknown>,
  code: ErrorCode,
  field?: string,
): Promise<void> {
  return assert.rejects(promise, (e: unknown) => {
    assert.ok(isPlinthError(e), `expected a PlinthError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (field !== undefined) assert.equal(e.field, field);
    return true;
  });
}
