import type { ParamSpec } from "../definition/param-spec.ts";

/** A pipeline a server can run by name. */
export interface RegisteredPipeline {
  readonly name: string;
  /** `builtin:<name>` or the `file://` URL of the module that defines it. */
  readonly module: string;
  readonly description: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** True for plinth's own pipelines, which every server knows without registering. */
  readonly builtin: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * The pipelines known by name: plinth's built-in ones, and those registered from a module
 * file (`plinth pipeline register FILE`). A server, a schedule or the trigger API runs a
 * pipeline by name by importing its module, so the file must be readable by the server
 * (and, on a queue, by the workers) at the registered path.
 */
export interface RegisteredPipelineStore {
  /**
   * Registers (or re-registers, after an edit or a move) a pipeline under its name.
   *
   * @throws PlinthError `PIPELINES_NAME_TAKEN` for the name of a built-in pipeline.
   */
  register(input: {
    name: string;
    module: string;
    description: string;
    params: Readonly<Record<string, ParamSpec>>;
  }): Promise<RegisteredPipeline>;
  /**
   * One pipeline by name, built-in or registered.
   *
   * @throws PlinthError `PIPELINES_NOT_REGISTERED` when no pipeline has the name.
   */
  get(name: string): Promise<RegisteredPipeline>;
  /** Every known pipeline, built-in first, then by name. */
  list(): Promise<RegisteredPipeline[]>;
  /**
   * Forgets a registered pipeline (its runs and schedules stay).
   *
   * @throws PlinthError `PIPELINES_NOT_REGISTERED` when none has the name; `PIPELINES_NAME_TAKEN` for a built-in.
   */
  remove(name: string): Promise<void>;
}
