import { PlinthError } from "../../core/errors.ts";
import type { InputRef, OutputRef, ResolvedInputs } from "./input-ref.ts";
import type { StepContext } from "./step-context.ts";

/** How a failing step is retried: `attempts` in all, waiting `backoffMs`, doubling each time. */
export interface RetryPolicy {
  /** Attempts in all, at least 1 (the default: no retry). */
  readonly attempts: number;
  /** Wait before the first retry, in ms (default 1000); doubled before each further one. */
  readonly backoffMs: number;
}

/** Options every step takes besides its inputs and function. */
export interface StepOptions {
  /**
   * The output names the step returns. Optional, but when given, refs to other names are
   * rejected before the run starts and a result lacking one is an error.
   */
  outputs?: readonly string[];
  /** Retries on a thrown error or timeout (default: one attempt). */
  retry?: Partial<RetryPolicy>;
  /**
   * Per-attempt time limit in ms. On expiry the step's signal aborts and the attempt fails
   * at once; a main-thread step that ignores its signal runs on unobserved (its result is
   * dropped), while a `thread: "worker"` step is terminated.
   */
  timeoutMs?: number;
  /** Reuse outputs of an earlier run with the same cache key (default true). */
  cache?: boolean;
  /**
   * `"worker"` runs the step in a worker thread of its own, for CPU-heavy work that would
   * block the other steps; a timeout or cancellation then terminates the thread. It needs
   * the pipeline loaded from a file (as `plinth pipeline run` does), and inputs and
   * outputs are copied between threads. Default `"main"`.
   */
  thread?: "main" | "worker";
  /**
   * Joins the cache key beside the hash of the step function's source. Bump it when a
   * helper the step imports changes: only the function's own text is hashed.
   */
  version?: string;
}

/** A step's options and function, before {@link step} checks them. */
export interface StepSpec<Refs, Outputs> extends StepOptions {
  inputs?: Refs;
  run: (inputs: ResolvedInputs<Refs>, ctx: StepContext) => Promise<Outputs> | Outputs;
}

/** A fan-out step: `run` is called once per element of `foreach`, which arrives as `inputs.item`. */
export interface ForeachStepSpec<Refs, Item, Outputs> extends StepOptions {
  foreach: InputRef<readonly Item[]>;
  inputs?: Refs;
  run: (
    inputs: ResolvedInputs<Refs> & { item: Item },
    ctx: StepContext,
  ) => Promise<Outputs> | Outputs;
}

/** A step as the runner sees it: untyped, validated, frozen. */
export interface StepDefinition {
  readonly name: string;
  readonly inputs: Readonly<Record<string, InputRef<unknown>>>;
  /** The list a fan-out step runs over; its outputs are then lists in item order. */
  readonly foreach: InputRef<unknown> | undefined;
  readonly outputs: readonly string[] | undefined;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number | undefined;
  readonly cache: boolean;
  readonly version: string | undefined;
  readonly thread: "main" | "worker";
  readonly run: (
    inputs: Record<string, unknown>,
    ctx: StepContext,
  ) => Promise<Record<string, unknown>> | Record<string, unknown>;
}

/** A defined step whose outputs are typed, so `output(name)` refs carry their value type. */
export interface Step<Outputs> extends StepDefinition {
  /** A ref to one of this step's outputs, for a downstream step's `inputs`. */
  output<Name extends keyof Outputs & string>(name: Name): OutputRef<Outputs[Name]>;
}

/** Step and output names: what a tracking tag key and a file name can both hold. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

type OutputRecord = Record<string, unknown>;

/**
 * Defines a step. Its inputs are refs to parameters or upstream outputs; it returns named
 * outputs (JSON values, `Uint8Array` bytes, or files via `pathOutput`), which are stored
 * by content hash. With `foreach`, it runs once per list element and downstream steps see
 * each output as a list in element order (fan-in).
 *
 * @example
 * const prepare = step("prepare", {
 *   inputs: { n: param<number>("n") },
 *   run: async ({ n }) => ({ folds: Array.from({ length: n }, (_, i) => i) }),
 * });
 * const train = step("train", {
 *   foreach: prepare.output("folds"),
 *   run: async ({ item }) => ({ score: item / 10 }),
 * });
 * const pick = step("pick", {
 *   inputs: { scores: train.output("score") }, // number[]
 *   run: async ({ scores }) => ({ best: Math.max(...scores) }),
 * });
 */
export function step<
  Refs extends Record<string, InputRef<unknown>>,
  Item,
  Outputs extends OutputRecord,
>(
  name: string,
  spec: ForeachStepSpec<Refs, Item, Outputs>,
): Step<{ [K in keyof Outputs]: Outputs[K][] }>;
export function step<Refs extends Record<string, InputRef<unknown>>, Outputs extends OutputRecord>(
  name: string,
  spec: StepSpec<Refs, Outputs>,
): Step<Outputs>;
export function step(
  name: string,
  spec: StepOptions & {
    inputs?: Record<string, InputRef<unknown>>;
    foreach?: InputRef<unknown>;
    run: unknown;
  },
): Step<OutputRecord> {
  const field = (f: string) => `steps.${name}.${f}`;
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    throw definitionError(
      "name",
      `Step name ${JSON.stringify(name)} must be 1-100 letters, digits, '_', '.' or '-', starting with a letter or digit`,
    );
  }
  if (typeof spec?.run !== "function") {
    throw definitionError(field("run"), `Step '${name}' needs a run function`);
  }
  const inputs = { ...(spec.inputs ?? {}) };
  for (const [key, input] of Object.entries(inputs)) {
    if (!NAME_PATTERN.test(key)) {
      throw definitionError(
        field(`inputs.${key}`),
        `Input name ${JSON.stringify(key)} is not valid`,
      );
    }
    if (!isInputRef(input)) {
      throw definitionError(
        field(`inputs.${key}`),
        `Input '${key}' of step '${name}' must be param(...), ref(...) or <step>.output(...)`,
      );
    }
  }
  if (spec.foreach !== undefined) {
    if (!isInputRef(spec.foreach)) {
      throw definitionError(field("foreach"), `foreach of step '${name}' must be an input ref`);
    }
    if (Object.hasOwn(inputs, "item")) {
      throw definitionError(
        field("inputs.item"),
        `Step '${name}' fans out, so 'item' is its list element and cannot be an input name`,
      );
    }
  }
  for (const output of spec.outputs ?? []) {
    if (!NAME_PATTERN.test(output)) {
      throw definitionError(field("outputs"), `Output name ${JSON.stringify(output)} is not valid`);
    }
  }
  const attempts = spec.retry?.attempts ?? 1;
  const backoffMs = spec.retry?.backoffMs ?? 1000;
  if (!Number.isSafeInteger(attempts) || attempts < 1 || attempts > 100) {
    throw definitionError(
      field("retry.attempts"),
      "retry.attempts must be an integer from 1 to 100",
    );
  }
  if (!Number.isFinite(backoffMs) || backoffMs < 0) {
    throw definitionError(field("retry.backoffMs"), "retry.backoffMs must be a number >= 0");
  }
  if (spec.timeoutMs !== undefined && !(Number.isFinite(spec.timeoutMs) && spec.timeoutMs > 0)) {
    throw definitionError(field("timeoutMs"), "timeoutMs must be a positive number of ms");
  }
  if (spec.thread !== undefined && spec.thread !== "main" && spec.thread !== "worker") {
    throw definitionError(field("thread"), `thread must be "main" or "worker"`);
  }
  const run = spec.run as StepDefinition["run"];
  const definition: Step<OutputRecord> = {
    name,
    inputs: Object.freeze(inputs),
    foreach: spec.foreach,
    outputs: spec.outputs === undefined ? undefined : Object.freeze([...spec.outputs]),
    retry: Object.freeze({ attempts, backoffMs }),
    timeoutMs: spec.timeoutMs,
    cache: spec.cache ?? true,
    version: spec.version,
    thread: spec.thread ?? "main",
    run,
    output(output) {
      return Object.freeze({ kind: "output", step: name, output });
    },
  };
  return Object.freeze(definition);
}

function isInputRef(value: unknown): value is InputRef<unknown> {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    (r.kind === "param" && typeof r.name === "string") ||
    (r.kind === "output" && typeof r.step === "string" && typeof r.output === "string")
  );
}

function definitionError(field: string, message: string): PlinthError {
  return new PlinthError("PIPELINES_INVALID_DEFINITION", message, { field });
}
