/**
 * Where a step input comes from: a pipeline parameter or another step's named output.
 * `Value` is the type the input has inside the step; it exists only for inference.
 */
export type InputRef<Value> = ParamRef<Value> | OutputRef<Value>;

/** An input read from a pipeline parameter. */
export interface ParamRef<Value> {
  readonly kind: "param";
  /** The parameter's name. */
  readonly name: string;
  /** Type-only marker; never set at run time. */
  readonly __value?: Value;
}

/** An input read from an output of an upstream step (a list of them when that step fans out). */
export interface OutputRef<Value> {
  readonly kind: "output";
  /** The producing step's name. */
  readonly step: string;
  /** The output's name in the producing step's result. */
  readonly output: string;
  /** Type-only marker; never set at run time. */
  readonly __value?: Value;
}

/** The values a step receives for a record of input refs. */
export type ResolvedInputs<Refs> = {
  [K in keyof Refs]: Refs[K] extends InputRef<infer Value> ? Value : never;
};

/**
 * A reference to a pipeline parameter, typed by the caller.
 *
 * @example
 * step("prepare", { inputs: { rows: param<number>("rows") }, run: async ({ rows }) => ({ n: rows * 2 }) });
 */
export function param<Value = unknown>(name: string): ParamRef<Value> {
  return Object.freeze({ kind: "param", name });
}

/**
 * A reference to another step's output by name. Prefer `prepare.output("rows")`, which
 * infers the type; this form is for steps defined later or in another file.
 *
 * @example
 * step("train", { inputs: { rows: ref<number[]>("prepare", "rows") }, run: async ({ rows }) => ({ n: rows.length }) });
 */
export function ref<Value = unknown>(step: string, output: string): OutputRef<Value> {
  return Object.freeze({ kind: "output", step, output });
}
