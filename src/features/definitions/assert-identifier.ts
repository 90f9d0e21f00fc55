import { PlinthError } from "../../core/errors.ts";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Throws FEATURES_INVALID_DEFINITION unless `name` is a plain identifier. Every name that
 * reaches SQL (entity keys, features, columns, views) passes here first, so the SQL layer
 * only ever quotes names it has already validated and never splices a raw user string.
 *
 * @example
 * assertIdentifier("driver_id", "entity 'driver' join key"); // ok
 * assertIdentifier("x; drop", "feature"); // throws FEATURES_INVALID_DEFINITION
 */
export function assertIdentifier(name: unknown, what: string): asserts name is string {
  if (typeof name !== "string" || !IDENTIFIER.test(name)) {
    throw new PlinthError(
      "FEATURES_INVALID_DEFINITION",
      `The ${what} name ${JSON.stringify(name)} is not an identifier (letters, digits and _, not starting with a digit)`,
      { field: what },
    );
  }
}

/** True when `name` is a plain identifier (see assertIdentifier). */
export function isIdentifier(name: unknown): name is string {
  return typeof name === "string" && IDENTIFIER.test(name);
}
