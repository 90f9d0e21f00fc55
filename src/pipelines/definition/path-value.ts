const PATH_VALUE = Symbol.for("plinth.pipelines.path");

/**
 * A file or directory a step wrote and returns as an output. It is stored by content (a
 * directory as a manifest of its files) and handed to downstream steps as a fresh local
 * copy with the same shape.
 */
export interface PathValue {
  readonly [PATH_VALUE]: true;
  /** The local file or directory. */
  readonly path: string;
}

/**
 * Marks a local file or directory as a step output.
 *
 * @example
 * run: async (_inputs, ctx) => {
 *   const dir = await ctx.scratchDir("model");
 *   await writeFile(join(dir, "model.json"), "{}");
 *   return { model: pathOutput(dir) };
 * }
 */
export function pathOutput(path: string): PathValue {
  return Object.freeze({ [PATH_VALUE]: true as const, path });
}

/** True for a value made by {@link pathOutput}. */
export function isPathValue(value: unknown): value is PathValue {
  return typeof value === "object" && value !== null && PATH_VALUE in value;
}
