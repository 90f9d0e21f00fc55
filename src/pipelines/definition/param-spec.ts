import { PlinthError } from "../../core/errors.ts";

/** One declared pipeline parameter: its type, and a default when it may be omitted. */
export type ParamSpec =
  | { type: "string"; default?: string; description?: string }
  | { type: "number"; default?: number; description?: string }
  | { type: "integer"; default?: number; description?: string }
  | { type: "boolean"; default?: boolean; description?: string };

/** The value type a parameter spec declares. */
export type ParamValue<Spec extends ParamSpec> = Spec["type"] extends "string"
  ? string
  : Spec["type"] extends "boolean"
    ? boolean
    : number;

/** JSON-compatible parameter values by name. */
export type ParamValues = Readonly<Record<string, string | number | boolean>>;

/**
 * Checks `given` against the declared parameters and fills in defaults. Strings (from the
 * command line) are parsed to the declared type; anything else must already have it.
 *
 * @example
 * resolveParams({ n: { type: "integer", default: 3 } }, { n: "5" }); // { n: 5 }
 */
export function resolveParams(
  specs: Readonly<Record<string, ParamSpec>>,
  given: Readonly<Record<string, unknown>>,
): ParamValues {
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(specs, name)) {
      const known = Object.keys(specs).join(", ") || "(none)";
      throw paramError(name, `is not a parameter of this pipeline (parameters: ${known})`);
    }
  }
  const out: Record<string, string | number | boolean> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const raw = given[name] ?? spec.default;
    if (raw === undefined) throw paramError(name, "is required (it has no default)");
    out[name] = coerce(name, spec, raw);
  }
  return out;
}

function coerce(name: string, spec: ParamSpec, raw: unknown): string | number | boolean {
  switch (spec.type) {
    case "string":
      if (typeof raw === "string") return raw;
      break;
    case "boolean":
      if (typeof raw === "boolean") return raw;
      if (raw === "true" || raw === "false") return raw === "true";
      break;
    case "number":
    case "integer": {
      const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
      if (typeof n === "number" && Number.isFinite(n)) {
        if (spec.type === "number" || Number.isSafeInteger(n)) return n;
      }
      break;
    }
  }
  return throwBadType(name, spec, raw);
}

function throwBadType(name: string, spec: ParamSpec, raw: unknown): never {
  throw paramError(name, `must be ${article(spec.type)} ${spec.type}, got ${JSON.stringify(raw)}`);
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? "an" : "a";
}

function paramError(name: string, problem: string): PlinthError {
  return new PlinthError("PIPELINES_INVALID_PARAM", `Parameter '${name}' ${problem}`, {
    field: `params.${name}`,
  });
}
