import { ERROR_CATALOGUE, type ErrorCode, PlinthError } from "./errors.ts";

/**
 * Imports a user's module (a features or pipeline file) afresh. It goes through tsx's
 * `tsImport`, a plinth dependency, so TypeScript loads in the compiled CLI too, and each
 * call gets its own module namespace: a long-running process (a test, the REPL) that
 * imports a file, sees it edited and imports it again gets the new code, not a cached copy.
 *
 * @example
 * const exports = await importUserModule("/repo/features.ts");
 */
export async function importUserModule(absolutePath: string): Promise<Record<string, unknown>> {
  const { tsImport } = await import("tsx/esm/api");
  return (await tsImport(absolutePath, import.meta.url)) as Record<string, unknown>;
}

/**
 * A PlinthError thrown by another copy of plinth's modules, rebuilt as one of ours. A user
 * module imported in its own namespace (see importUserModule) or compiled as CommonJS gets
 * its own copy of plinth, so `instanceof` fails although the error is one of ours.
 */
export function asForeignPlinthError(error: unknown): PlinthError | undefined {
  if (!(error instanceof Error) || error.name !== "PlinthError") return undefined;
  const { code, field } = error as { code?: unknown; field?: unknown };
  if (typeof code !== "string" || !Object.hasOwn(ERROR_CATALOGUE, code)) return undefined;
  return new PlinthError(code as ErrorCode, error.message, {
    ...(typeof field === "string" ? { field } : {}),
    cause: error,
  });
}
