import { randomUUID } from "node:crypto";

/** A run id as MLflow makes them: a uuid4 as 32 lowercase hex characters. */
export function newRunId(): string {
  return randomUUID().replaceAll("-", "");
}

/** True for a string shaped like a run id (32 lowercase hex characters). */
export function isRunId(value: string): boolean {
  return /^[0-9a-f]{32}$/.test(value);
}
