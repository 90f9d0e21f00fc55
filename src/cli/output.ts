import { isPlinthError, PlinthError } from "../core/errors.ts";

/** Where a command writes: its result to stdout, diagnostics to stderr. */
export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** `--json` was given: print one JSON document instead of tables. */
  json: boolean;
}

/** Prints a result as JSON or as the text the command renders. */
export function emit(io: CommandIO, value: unknown, text: () => string): void {
  io.stdout(io.json ? JSON.stringify(value, null, 2) : text());
}

/** Prints an error for a person or, with --json, as `{error_code, message, field}`; returns the exit code. */
export function reportError(io: CommandIO, error: unknown): number {
  const e = isPlinthError(error)
    ? error
    : new PlinthError("INTERNAL", `Internal error: ${(error as Error)?.stack ?? String(error)}`);
  if (io.json) {
    io.stderr(JSON.stringify({ error_code: e.code, message: e.message, field: e.field }));
  } else {
    io.stderr(`error [${e.code}]: ${e.message}`);
  }
  return e.code === "INTERNAL" ? 70 : e.code === "INVALID_ARGUMENT" ? 2 : 1;
}
