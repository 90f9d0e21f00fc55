import assert from "node:assert/strict";
import { type ErrorCode, isPlinthError } from "../../../core/errors.ts";

/** Asserts that `promise` rejects with a PlinthError of `code`, with `field` when given. */
export async function rejectsWithCode(
  promise: Promise<unknown>,
  code: ErrorCode,
  field?: string,
): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(isPlinthError(e), `expected a PlinthError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (field !== undefined) assert.equal(e.field, field, e.message);
    return true;
  });
}
