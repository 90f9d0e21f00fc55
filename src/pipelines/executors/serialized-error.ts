import { ERROR_CATALOGUE, type ErrorCode, PlinthError } from "../../core/errors.ts";

/** An error as it crosses a thread or the network: JSON, with a PlinthError's code and field. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly code: string | undefined;
  readonly field: string | undefined;
}

/** Flattens what a step threw into JSON. */
export function serializeError(error: unknown): SerializedError {
  const e = error instanceof Error ? error : new Error(String(error));
  const { code, field } = e as { code?: unknown; field?: unknown };
  return {
    name: e.name,
    message: e.message,
    stack: e.stack,
    code: typeof code === "string" ? code : undefined,
    field: typeof field === "string" ? field : undefined,
  };
}

/** The error as thrown on the other side: PlinthErrors keep their code, others their name. */
export function rebuildError(error: SerializedError): Error {
  const rebuilt =
    error.code !== undefined && Object.hasOwn(ERROR_CATALOGUE, error.code)
      ? new PlinthError(error.code as ErrorCode, error.message, {
          ...(error.field === undefined ? {} : { field: error.field }),
        })
      : Object.assign(new Error(error.message), { name: error.name });
  if (error.stack !== undefined) rebuilt.stack = error.stack;
  return rebuilt;
}
