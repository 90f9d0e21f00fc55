import { canonicalJson } from "../../core/hash.ts";

/** One changed field of a spec: its dotted path and the values before and after (absent = undefined). */
export interface FieldChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/**
 * The field-level differences between two JSON specs. Objects are compared key by key, so
 * a feature added to `features` is one change at `features.<name>`; arrays and scalars are
 * compared whole (the order of join keys matters). Paths come out sorted.
 *
 * @example
 * diffSpec({ ttlSeconds: 60, features: { a: "int64" } }, { ttlSeconds: 60, features: { a: "float64" } });
 * // [{ path: "features.a", before: "int64", after: "float64" }]
 */
export function diffSpec(before: unknown, after: unknown, path = ""): FieldChange[] {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffSpec(before[k], after[k], path === "" ? k : `${path}.${k}`));
  }
  if (
    before !== undefined &&
    after !== undefined &&
    canonicalJson(before) === canonicalJson(after)
  ) {
    return [];
  }
  if (before === undefined && after === undefined) return [];
  return [
    {
      path,
      ...(before === undefined ? {} : { before }),
      ...(after === undefined ? {} : { after }),
    },
  ];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
