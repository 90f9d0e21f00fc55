import { PlinthError } from "../../core/errors.ts";
import { assertIdentifier } from "./assert-identifier.ts";
import { type Field, VALUE_TYPES } from "./value-type.ts";

/**
 * Validates and freezes a list of typed fields: each an identifier, each name once, each
 * type one of VALUE_TYPES. `what` names the owner in messages ("feature view 'trips'").
 */
export function validateFields(
  fields: unknown,
  what: string,
  allowEmpty = false,
): readonly Field[] {
  if (!Array.isArray(fields) || (!allowEmpty && fields.length === 0)) {
    throw new PlinthError(
      "FEATURES_INVALID_DEFINITION",
      `The ${what} needs a non-empty list of {name, type} fields`,
      { field: what },
    );
  }
  const seen = new Set<string>();
  return Object.freeze(
    fields.map((f: unknown) => {
      const field = (f ?? {}) as Partial<Field>;
      assertIdentifier(field.name, `${what} field`);
      if (!VALUE_TYPES.includes(field.type as Field["type"])) {
        throw new PlinthError(
          "FEATURES_INVALID_DEFINITION",
          `Field '${field.name}' of the ${what} has type ${JSON.stringify(field.type)}; use one of ${VALUE_TYPES.join(", ")}`,
          { field: field.name },
        );
      }
      if (seen.has(field.name)) {
        throw new PlinthError(
          "FEATURES_INVALID_DEFINITION",
          `Field '${field.name}' appears twice in the ${what}`,
          { field: field.name },
        );
      }
      seen.add(field.name);
      return Object.freeze({ name: field.name, type: field.type as Field["type"] });
    }),
  );
}
