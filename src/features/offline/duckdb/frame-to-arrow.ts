import {
  Bool,
  type DataType,
  Float64,
  Int64,
  Table,
  TimestampMillisecond,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import type { FeatureFrame } from "../feature-frame.ts";

/**
 * An Apache Arrow table with the frame's columns: float64 as Float64 (NaN becomes null),
 * int64 as Int64, string as Utf8, bool as Bool, timestamp as millisecond Timestamp (UTC
 * when the input was zoned).
 *
 * @example
 * const table = frameToArrow(await job.toFrame(), true);
 */
export function frameToArrow(frame: FeatureFrame, zoned: boolean): Table {
  const vectors: Record<string, Vector> = {};
  for (const field of frame.schema) {
    const values = frame.columns[field.name]!;
    let type: DataType;
    let data: unknown[];
    switch (field.type) {
      case "float64":
        type = new Float64();
        data = Array.from(values as Float64Array, (v) => (Number.isNaN(v) ? null : v));
        break;
      case "int64":
        type = new Int64();
        data = values as (bigint | null)[];
        break;
      case "string":
        type = new Utf8();
        data = values as (string | null)[];
        break;
      case "bool":
        type = new Bool();
        data = values as (boolean | null)[];
        break;
      case "timestamp":
        type = new TimestampMillisecond(zoned ? "UTC" : null);
        data = (values as (Date | null)[]).map((d) => (d === null ? null : d.getTime()));
        break;
    }
    vectors[field.name] = vectorFromArray(data, type);
  }
  return new Table(vectors);
}
