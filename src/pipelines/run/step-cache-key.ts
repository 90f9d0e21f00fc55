import { hashJson, sha256Hex } from "../../core/hash.ts";
import type { StepDefinition } from "../definition/step.ts";
import type { StoredOutput } from "./output-store.ts";

/** A resolved step input as the cache key sees it: a parameter's value or an output's address. */
export type InputSnapshot =
  | { readonly param: string | number | boolean }
  | { readonly output: StoredOutput };

/**
 * The code version of a step: the hash of its function's source text, joined with the
 * step's explicit `version`. Only the function's own text is hashed: a helper it imports,
 * or a value it captures from the enclosing scope, can change without changing the hash —
 * which is what `version` is for (or `cache: false`). Formatting changes do change it.
 *
 * @example
 * stepCodeVersion(train); // "5f1c…" (64 hex)
 */
export function stepCodeVersion(step: StepDefinition): string {
  return sha256Hex(JSON.stringify([step.run.toString(), step.version ?? null]));
}

/**
 * The key under which a step's outputs are reused: equal keys mean the same code ran on
 * the same inputs (parameters by value, upstream outputs by content hash), as in
 * Dagster's code version plus input data versions.
 *
 * @example
 * const key = stepCacheKey(train, { rows: { output: stored } }, undefined);
 */
export function stepCacheKey(
  step: StepDefinition,
  inputs: Readonly<Record<string, InputSnapshot>>,
  foreach: InputSnapshot | undefined,
): string {
  return hashJson({
    v: 1,
    step: step.name,
    code: stepCodeVersion(step),
    outputs: step.outputs ?? null,
    inputs,
    foreach: foreach ?? null,
  });
}
