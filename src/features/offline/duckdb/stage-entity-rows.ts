import { type DuckDBAppender, type DuckDBConnection, timestampTZValue } from "@duckdb/node-api";
import { PlinthError } from "../../../core/errors.ts";
import { isIdentifier } from "../../definitions/assert-identifier.ts";
import type { ValueType } from "../../definitions/value-type.ts";
import type { EntityRequirements } from "./load-entity-input.ts";
import { quoteIdentifier } from "./sql-names.ts";

const ZONED_TEXT = /\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$/i;

type Staged = "BIGINT" | "DOUBLE" | "VARCHAR" | "BOOLEAN" | "TIMESTAMPTZ";

/**
 * Writes row objects into table `entity_input` through an appender, column types from the
 * declared keys and request fields or else from the values. Returns, for a timestamp
 * column given as text, whether its strings carry a zone.
 */
export async function stageEntityRows(
  connection: DuckDBConnection,
  rows: readonly Readonly<Record<string, unknown>>[],
  needs: EntityRequirements,
): Promise<boolean | undefined> {
  if (rows.length === 0) throw invalid("entities", "The entity input has no rows");
  const names: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    if (row === null || typeof row !== "object")
      throw invalid("entities", "Every entity row must be an object");
    for (const k of Object.keys(row)) {
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
    }
  }
  let textZoned: boolean | undefined;
  const staged = names.map((name): Staged => {
    if (!isIdentifier(name) || name.startsWith("__")) {
      throw invalid(
        name,
        `Entity column ${JSON.stringify(name)} is not an identifier (or starts with __); rename it`,
      );
    }
    const declared = needs.keys.get(name) ?? needs.request.get(name);
    if (name === needs.timestampColumn) {
      const zone = timestampTextZone(rows, name);
      textZoned = zone;
      return zone === undefined ? "TIMESTAMPTZ" : "VARCHAR";
    }
    if (declared !== undefined) return stagedFor(declared);
    const first = rows.find((r) => r[name] !== null && r[name] !== undefined)?.[name];
    if (typeof first === "number") return "DOUBLE";
    if (typeof first === "bigint") return "BIGINT";
    if (typeof first === "boolean") return "BOOLEAN";
    if (first instanceof Date) return "TIMESTAMPTZ";
    return "VARCHAR";
  });
  await connection.run(
    `CREATE TABLE entity_input (${names.map((n, i) => `${quoteIdentifier(n)} ${staged[i]}`).join(", ")})`,
  );
  const appender = await connection.createAppender("entity_input");
  try {
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      for (let c = 0; c < names.length; c++)
        append(appender, staged[c]!, row[names[c]!], names[c]!, r, needs);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return textZoned;
}

function stagedFor(type: ValueType): Staged {
  return type === "int64"
    ? "BIGINT"
    : type === "float64"
      ? "DOUBLE"
      : type === "bool"
        ? "BOOLEAN"
        : type === "timestamp"
          ? "TIMESTAMPTZ"
          : "VARCHAR";
}

/** undefined when the timestamps are Dates; true/false when they are text with/without a zone. */
function timestampTextZone(
  rows: readonly Readonly<Record<string, unknown>>[],
  name: string,
): boolean | undefined {
  let zone: boolean | undefined;
  let dates = false;
  let present = false;
  for (const row of rows) {
    const v = row[name];
    if (v === null || v === undefined) continue;
    present = true;
    if (v instanceof Date) {
      dates = true;
    } else if (typeof v === "string") {
      const z = ZONED_TEXT.test(v.trim());
      if (zone !== undefined && zone !== z) throw mixedZones(name);
      zone = z;
    } else {
      throw new PlinthError(
        "FEATURES_TIMESTAMP_MISMATCH",
        `Entity timestamp '${name}' holds ${typeof v} ${JSON.stringify(String(v))}; use a Date or an ISO string`,
        { field: name },
      );
    }
  }
  if (dates && zone === false) throw mixedZones(name);
  if (!present) return undefined;
  return dates ? undefined : zone;
}

function mixedZones(name: string): PlinthError {
  return new PlinthError(
    "FEATURES_TIMESTAMP_MISMATCH",
    `Entity timestamp '${name}' mixes values with and without a time zone`,
    { field: name },
  );
}

function append(
  appender: DuckDBAppender,
  staged: Staged,
  value: unknown,
  name: string,
  row: number,
  needs: EntityRequirements,
): void {
  if (value === null || value === undefined) {
    appender.appendNull();
    return;
  }
  const isKey = needs.keys.has(name);
  const outOfRange = typeof value === "bigint" && staged === "BIGINT";
  const problem = outOfRange ? "is outside the int64 range" : `is ${typeof value}`;
  const wrong = (): PlinthError =>
    isKey
      ? new PlinthError(
          "FEATURES_KEY_TYPE_MISMATCH",
          `Join key '${name}' of entity row ${row} ${problem} (${JSON.stringify(String(value)).slice(0, 80)}); its entity declares ${needs.keys.get(name)}`,
          { field: name },
        )
      : invalid(
          name,
          outOfRange
            ? `Entity column '${name}' of row ${row} ${problem}`
            : `Entity column '${name}' of row ${row} is ${typeof value}, unlike the column's other values`,
        );
  switch (staged) {
    case "BIGINT":
      if (typeof value === "bigint" && BigInt.asIntN(64, value) === value) {
        appender.appendBigInt(value);
        return;
      }
      if (typeof value === "number" && Number.isSafeInteger(value)) {
        appender.appendBigInt(BigInt(value));
        return;
      }
      throw wrong();
    case "DOUBLE":
      if (typeof value !== "number") throw wrong();
      {
        appender.appendDouble(value);
        return;
      }
    case "BOOLEAN":
      if (typeof value !== "boolean") throw wrong();
      {
        appender.appendBoolean(value);
        return;
      }
    case "VARCHAR":
      if (typeof value !== "string") throw wrong();
      {
        appender.appendVarchar(value);
        return;
      }
    case "TIMESTAMPTZ":
      if (!(value instanceof Date)) throw wrong();
      if (Number.isNaN(value.getTime())) {
        throw new PlinthError(
          "FEATURES_TIMESTAMP_MISMATCH",
          `Entity column '${name}' of row ${row} is an invalid Date`,
          {
            field: name,
          },
        );
      }
      {
        appender.appendTimestampTZ(timestampTZValue(BigInt(value.getTime()) * 1000n));
        return;
      }
  }
}

function invalid(field: string, message: string): PlinthError {
  return new PlinthError("FEATURES_INVALID_ENTITY_INPUT", message, { field });
}
