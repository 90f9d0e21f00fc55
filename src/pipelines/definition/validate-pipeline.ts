import { PlinthError } from "../../core/errors.ts";
import type { InputRef } from "./input-ref.ts";
import type { ParamSpec } from "./param-spec.ts";
import type { StepDefinition } from "./step.ts";

/**
 * Checks a pipeline's graph and returns a dependency order: steps named twice, inputs that
 * name a missing step, output or parameter, and cycles are all reported here, so nothing
 * runs on a graph that cannot finish.
 *
 * @example
 * const { order } = validatePipeline({}, [prepare, train]); // ["prepare", "train"]
 */
export function validatePipeline(
  params: Readonly<Record<string, ParamSpec>>,
  steps: readonly StepDefinition[],
): { order: readonly string[]; upstream: Readonly<Record<string, readonly string[]>> } {
  const byName = new Map<string, StepDefinition>();
  for (const s of steps) {
    if (byName.has(s.name)) {
      throw new PlinthError("PIPELINES_DUPLICATE_STEP", `Two steps are named '${s.name}'`, {
        field: `steps.${s.name}`,
      });
    }
    byName.set(s.name, s);
  }

  const upstream: Record<string, string[]> = {};
  for (const s of steps) {
    const deps = new Set<string>();
    const refs: Array<[string, InputRef<unknown>]> = Object.entries(s.inputs);
    if (s.foreach !== undefined) {
      if (s.foreach.kind !== "output") {
        throw new PlinthError(
          "PIPELINES_INVALID_DEFINITION",
          `Step '${s.name}' fans out over parameter '${s.foreach.name}'; foreach needs a step output (a list)`,
          { field: `steps.${s.name}.foreach` },
        );
      }
      refs.push(["foreach", s.foreach]);
    }
    for (const [key, input] of refs) {
      const field = key === "foreach" ? `steps.${s.name}.foreach` : `steps.${s.name}.inputs.${key}`;
      if (input.kind === "param") {
        if (!Object.hasOwn(params, input.name)) {
          throw missing(
            field,
            `Step '${s.name}' reads parameter '${input.name}', which is not declared`,
          );
        }
        continue;
      }
      const producer = byName.get(input.step);
      if (producer === undefined) {
        throw missing(
          field,
          `Step '${s.name}' reads from step '${input.step}', which is not in the pipeline`,
        );
      }
      if (producer.outputs !== undefined && !producer.outputs.includes(input.output)) {
        throw missing(
          field,
          `Step '${s.name}' reads output '${input.output}' of '${input.step}', which declares only: ${producer.outputs.join(", ")}`,
        );
      }
      deps.add(input.step);
    }
    upstream[s.name] = [...deps];
  }

  return { order: topologicalOrder(steps, upstream), upstream };
}

/** Kahn's algorithm, taking ready steps in declaration order so the order is stable. */
function topologicalOrder(
  steps: readonly StepDefinition[],
  upstream: Readonly<Record<string, readonly string[]>>,
): string[] {
  const remaining = new Map(steps.map((s) => [s.name, new Set(upstream[s.name])]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([name]) => name);
    if (ready.length === 0) {
      const cycle = findCycle(remaining);
      throw new PlinthError("PIPELINES_CYCLE", `The steps form a cycle: ${cycle.join(" -> ")}`, {
        field: `steps.${cycle[0]}`,
      });
    }
    for (const name of ready) {
      order.push(name);
      remaining.delete(name);
      for (const deps of remaining.values()) deps.delete(name);
    }
  }
  return order;
}

/** One cycle among steps that all still wait on something, in data-flow order, for the message. */
function findCycle(waiting: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const [start] = waiting.keys();
  const path: string[] = [];
  const seen = new Map<string, number>();
  let at = start as string;
  while (!seen.has(at)) {
    seen.set(at, path.length);
    path.push(at);
    const [next] = waiting.get(at) ?? [];
    at = next as string;
  }
  // Walked against the data flow (reader to producer); reported along it.
  return [...path.slice(seen.get(at)), at].reverse();
}

function missing(field: string, message: string): PlinthError {
  return new PlinthError("PIPELINES_MISSING_INPUT", message, { field });
}
