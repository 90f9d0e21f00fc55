import { PlinthError } from "../../core/errors.ts";

/** MONITORING_INVALID_INPUT naming the field. */
export function monitoringInputError(field: string, problem: string): PlinthError {
  return new PlinthError("MONITORING_INVALID_INPUT", `'${field}' ${problem}`, { field });
}
