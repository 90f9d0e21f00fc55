import { PlinthError } from "../../core/errors.ts";
import type { ParamSpec, ParamValues } from "./param-spec.ts";
import { NAME_PATTERN, type StepDefinition } from "./step.ts";
import { validatePipeline } from "./validate-pipeline.ts";

/** A validated pipeline: parameters, steps, and an order that respects every input. */
export interface Pipeline {
  readonly name: string;
  readonly description: string | undefined;
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** Steps in declaration order. */
  readonly steps: readonly StepDefinition[];
  /** Step names in a dependency order (ties kept in declaration order). */
  readonly order: readonly string[];
  /** The step names each step reads from. */
  readonly upstream: Readonly<Record<string, readonly string[]>>;
  /** Checks parameter values beyond their types, before anything runs (see definePipeline). */
  readonly checkParams: ((params: ParamValues) => void) | undefined;
}

/**
 * Defines a pipeline and checks it at once: duplicate step names, inputs naming a missing
 * step, output or parameter, and cycles throw before anything runs.
 *
 * @example
 * export default definePipeline({
 *   name: "fraud",
 *   params: { n: { type: "integer", default: 3 } },
 *   steps: [prepare, train, pick],
 * });
 */
export function definePipeline(spec: {
  name: string;
  description?: string;
  params?: Record<string, ParamSpec>;
  steps: readonly StepDefinition[];
  /**
   * Checks the resolved parameter values beyond their declared types (JSON in a string
   * parameter, ranges), throwing a PlinthError naming `params.<name>`. It runs before a
   * run is recorded, so bad values are refused before anything runs.
   */
  checkParams?: (params: ParamValues) => void;
}): Pipeline {
  if (typeof spec?.name !== "string" || !NAME_PATTERN.test(spec.name)) {
    throw new PlinthError(
      "PIPELINES_INVALID_DEFINITION",
      `Pipeline name ${JSON.stringify(spec?.name)} must be 1-100 letters, digits, '_', '.' or '-'`,
      { field: "name" },
    );
  }
  if (!Array.isArray(spec.steps) || spec.steps.length === 0) {
    throw new PlinthError("PIPELINES_INVALID_DEFINITION", "A pipeline needs at least one step", {
      field: "steps",
    });
  }
  const params = { ...(spec.params ?? {}) };
  for (const [name, p] of Object.entries(params)) {
    if (!["string", "number", "integer", "boolean"].includes(p?.type)) {
      throw new PlinthError(
        "PIPELINES_INVALID_DEFINITION",
        `Parameter '${name}' must have type string, number, integer or boolean`,
        { field: `params.${name}.type` },
      );
    }
  }
  const steps = Object.freeze([...spec.steps]);
  const { order, upstream } = validatePipeline(params, steps);
  return Object.freeze({
    name: spec.name,
    description: spec.description,
    params: Object.freeze(params),
    steps,
    order,
    upstream,
    checkParams: spec.checkParams,
  });
}

/** True for a value made by {@link definePipeline} (what a pipeline file must export). */
export function isPipeline(value: unknown): value is Pipeline {
  if (typeof value !== "object" || value === null) return false;
  const p = value as Record<string, unknown>;
  return typeof p.name === "string" && Array.isArray(p.steps) && Array.isArray(p.order);
}
