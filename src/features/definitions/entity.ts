import { assertIdentifier } from "./assert-identifier.ts";
import { validateFields } from "./validate-fields.ts";
import type { Field } from "./value-type.ts";

/** Something features describe (a driver, a card, a user-item pair), identified by its join keys. */
export interface Entity {
  readonly kind: "entity";
  readonly name: string;
  /** One key, or several for a composite entity; every source of its views has these columns. */
  readonly joinKeys: readonly Field[];
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Defines an entity. Join keys are typed so that a wrong key type in entity rows or a
 * source is an error rather than a silent non-match.
 *
 * @example
 * export const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });
 * export const pair = entity({
 *   name: "user_item",
 *   joinKeys: [{ name: "user_id", type: "string" }, { name: "item_id", type: "string" }],
 * });
 */
export function entity(spec: {
  name: string;
  joinKeys: readonly Field[];
  description?: string;
  tags?: Record<string, string>;
}): Entity {
  assertIdentifier(spec.name, "entity");
  return Object.freeze({
    kind: "entity",
    name: spec.name,
    joinKeys: validateFields(spec.joinKeys, `entity '${spec.name}'`),
    description: spec.description ?? "",
    tags: Object.freeze({ ...spec.tags }),
  });
}
