import { isIdentifier } from "../../definitions/assert-identifier.ts";

/**
 * Quotes a name for DuckDB after checking it is a plain identifier. Every name here was
 * validated when defined; the check stays so no path can splice an unchecked string.
 */
export function quoteIdentifier(name: string): string {
  if (!isIdentifier(name))
    throw new Error(`unreachable: unvalidated SQL identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** A SQL string literal (quotes doubled), for the few statements that take no parameters (COPY). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
