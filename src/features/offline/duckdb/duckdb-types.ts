import type { ValueType } from "../../definitions/value-type.ts";

/** A column's DuckDB type read as a ValueType; `zoned` tells TIMESTAMPTZ from TIMESTAMP. */
export interface ColumnKind {
  readonly type: ValueType;
  readonly zoned: boolean;
}

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;
const FLOAT = /^(FLOAT|DOUBLE|DECIMAL\(\d+,\s*\d+\))$/;
const NAIVE = /^TIMESTAMP(_S|_MS|_NS)?$/;

/** Reads a DuckDB type name (as DESCRIBE prints it); undefined for types plinth cannot hold. */
export function columnKind(duckType: string): ColumnKind | undefined {
  const t = duckType.toUpperCase();
  if (INTEGER.test(t)) return { type: "int64", zoned: false };
  if (FLOAT.test(t)) return { type: "float64", zoned: false };
  if (t === "VARCHAR") return { type: "string", zoned: false };
  if (t === "BOOLEAN") return { type: "bool", zoned: false };
  if (t === "TIMESTAMP WITH TIME ZONE") return { type: "timestamp", zoned: true };
  if (NAIVE.test(t)) return { type: "timestamp", zoned: false };
  return undefined;
}

/** The DuckDB type a ValueType is held in (timestamps zoned or naive as their input). */
export function duckType(type: ValueType, zoned: boolean): string {
  switch (type) {
    case "int64":
      return "BIGINT";
    case "float64":
      return "DOUBLE";
    case "string":
      return "VARCHAR";
    case "bool":
      return "BOOLEAN";
    case "timestamp":
      return zoned ? "TIMESTAMPTZ" : "TIMESTAMP";
  }
}

/**
 * Whether a column of `actual` kind may hold values declared `declared`. Only integers
 * widen (to float64); a key must match exactly, since 1 and 1.0 joining is not a promise
 * a typed entity should make.
 */
export function fits(declared: ValueType, actual: ValueType, isKey: boolean): boolean {
  if (declared === actual) return true;
  return !isKey && declared === "float64" && actual === "int64";
}
