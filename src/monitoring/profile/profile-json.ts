import { z } from "zod";
import { PlinthError } from "../../core/errors.ts";
import type { DatasetProfile, FeatureProfile } from "./feature-profile.ts";
import { HLL_PRECISION } from "./hyperloglog.ts";
import { EMPTY_MOMENTS } from "./numeric-moments.ts";
import { SKETCH_KEY_SPACE, SKETCH_MANTISSA_BITS } from "./quantile-sketch.ts";

/** The `format` field of a serialised profile. */
export const PROFILE_FORMAT = "plinth-profile";
/** The `version` written; a reader refuses any other. */
export const PROFILE_VERSION = 1;

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const finite = z.number().finite();
const name = z.string().min(1).max(1024);
const distinct = z
  .object({ precision: z.literal(HLL_PRECISION), registers: z.string().max(8192) })
  .strict();

const numericSchema = z
  .object({
    kind: z.literal("numeric"),
    name,
    count,
    missing: count,
    positiveInfinity: count,
    negativeInfinity: count,
    moments: z
      .object({ count, min: finite.nullable(), max: finite.nullable(), mean: finite, m2: finite })
      .strict(),
    sketch: z
      .object({
        mantissaBits: z.literal(SKETCH_MANTISSA_BITS),
        /** The first bucket's ordinal, then the gap to each next one. */
        buckets: z.array(z.number().int().min(0).max(SKETCH_KEY_SPACE)).max(SKETCH_KEY_SPACE),
        counts: z.array(count.min(1)).max(SKETCH_KEY_SPACE),
      })
      .strict(),
    histogram: z
      .object({
        edges: z.array(finite).min(2).max(10_001),
        counts: z.array(count),
        underflow: count,
        overflow: count,
        approximate: z.boolean(),
      })
      .strict(),
    distinct,
  })
  .strict();

const categoricalSchema = z
  .object({
    kind: z.literal("categorical"),
    name,
    count,
    missing: count,
    categories: z
      .object({
        values: z.array(z.string().max(10_000)).max(1_000_000),
        counts: z.array(count.min(1)).max(1_000_000),
        capacity: count.min(1),
        errorBound: count,
      })
      .strict(),
    distinct,
  })
  .strict();

const profileSchema = z
  .object({
    format: z.literal(PROFILE_FORMAT),
    version: z.literal(PROFILE_VERSION),
    rows: count,
    features: z
      .array(z.discriminatedUnion("kind", [numericSchema, categoricalSchema]))
      .max(100_000),
  })
  .strict();

type ProfileJson = z.infer<typeof profileSchema>;

/**
 * The JSON document of a profile, with a format name and version so a later plinth can read
 * it or refuse it clearly. Sketch buckets are gap-encoded and distinct-value registers base64,
 * which keeps a profile of 30 features to tens of kilobytes.
 *
 * @example
 * writeFileSync("profile.json", JSON.stringify(profileToJson(profile)));
 */
export function profileToJson(profile: DatasetProfile): ProfileJson {
  return {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    rows: profile.rows,
    features: profile.features.map((f) => {
      const registers = Buffer.from(f.distinct.registers).toString("base64");
      const hll = { precision: HLL_PRECISION, registers } as const;
      if (f.kind === "categorical") {
        return {
          ...f,
          categories: {
            ...f.categories,
            values: [...f.categories.values],
            counts: [...f.categories.counts],
          },
          distinct: hll,
        };
      }
      const empty = f.moments.count === 0;
      return {
        ...f,
        moments: {
          ...f.moments,
          min: empty ? null : f.moments.min,
          max: empty ? null : f.moments.max,
        },
        sketch: {
          mantissaBits: SKETCH_MANTISSA_BITS,
          buckets: [...f.sketch.buckets].map((b, i, all) => (i === 0 ? b : b - all[i - 1]!)),
          counts: [...f.sketch.counts],
        },
        histogram: {
          ...f.histogram,
          edges: [...f.histogram.edges],
          counts: [...f.histogram.counts],
        },
        distinct: hll,
      };
    }),
  };
}

/**
 * Reads a profile document (parsed JSON, e.g. from a model version's artifacts), checking
 * every field and the sums that tie them together, so a hostile or truncated file is refused
 * rather than producing wrong drift. Throws MONITORING_INVALID_PROFILE naming the field.
 */
export function profileFromJson(value: unknown): DatasetProfile {
  const result = profileSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join(".") || "profile";
    throw invalid(field, `Profile field '${field}': ${issue?.message ?? "invalid"}`);
  }
  const names = new Set<string>();
  const features = result.data.features.map((f, index): FeatureProfile => {
    const at = `features.${index}`;
    if (names.has(f.name)) throw invalid(`${at}.name`, `Profile feature '${f.name}' appears twice`);
    names.add(f.name);
    const registers = decodeRegisters(f.distinct.registers, `${at}.distinct.registers`);
    if (f.kind === "categorical") return readCategorical(f, registers, at);
    return readNumeric(f, registers, at);
  });
  return { rows: result.data.rows, features };
}

type NumericJson = z.infer<typeof numericSchema>;
type CategoricalJson = z.infer<typeof categoricalSchema>;

function readNumeric(f: NumericJson, registers: Uint8Array, at: string): FeatureProfile {
  const { moments, sketch, histogram } = f;
  if (f.missing + f.positiveInfinity + f.negativeInfinity + moments.count !== f.count) {
    throw invalid(
      `${at}.count`,
      `Profile feature '${f.name}': count is not missing + infinities + finite values`,
    );
  }
  if (
    moments.count > 0 &&
    (moments.min === null || moments.max === null || moments.min > moments.max)
  ) {
    throw invalid(
      `${at}.moments`,
      `Profile feature '${f.name}': min and max must be numbers with min <= max`,
    );
  }
  if (sketch.buckets.length !== sketch.counts.length) {
    throw invalid(
      `${at}.sketch`,
      `Profile feature '${f.name}': sketch buckets and counts differ in length`,
    );
  }
  const buckets = new Int32Array(sketch.buckets.length);
  let ordinal = 0;
  for (let i = 0; i < buckets.length; i++) {
    const gap = sketch.buckets[i]!;
    if (i > 0 && gap === 0)
      throw invalid(`${at}.sketch.buckets`, `Profile feature '${f.name}': sketch buckets repeat`);
    ordinal = i === 0 ? gap : ordinal + gap;
    if (ordinal >= SKETCH_KEY_SPACE)
      throw invalid(
        `${at}.sketch.buckets`,
        `Profile feature '${f.name}': sketch bucket out of range`,
      );
    buckets[i] = ordinal;
  }
  const sketchCount = sketch.counts.reduce((s, c) => s + c, 0);
  if (sketchCount !== moments.count) {
    throw invalid(
      `${at}.sketch.counts`,
      `Profile feature '${f.name}': sketch counts sum to ${sketchCount}, not ${moments.count}`,
    );
  }
  const { edges, counts } = histogram;
  if (counts.length !== edges.length - 1 || edges.some((e, i) => i > 0 && !(e > edges[i - 1]!))) {
    throw invalid(
      `${at}.histogram`,
      `Profile feature '${f.name}': histogram edges must increase and number one more than its counts`,
    );
  }
  const inHistogram = counts.reduce((s, c) => s + c, 0) + histogram.underflow + histogram.overflow;
  if (inHistogram !== moments.count) {
    throw invalid(
      `${at}.histogram.counts`,
      `Profile feature '${f.name}': histogram counts sum to ${inHistogram}, not ${moments.count}`,
    );
  }
  return {
    ...f,
    moments:
      moments.count === 0 ? EMPTY_MOMENTS : { ...moments, min: moments.min!, max: moments.max! },
    sketch: { buckets, counts: Float64Array.from(sketch.counts), count: sketchCount },
    distinct: { registers },
  };
}

function readCategorical(f: CategoricalJson, registers: Uint8Array, at: string): FeatureProfile {
  const { values, counts, capacity } = f.categories;
  if (values.length !== counts.length || values.length > capacity) {
    throw invalid(
      `${at}.categories`,
      `Profile feature '${f.name}': category values and counts must pair up, at most 'capacity' of them`,
    );
  }
  if (new Set(values).size !== values.length) {
    throw invalid(
      `${at}.categories.values`,
      `Profile feature '${f.name}': a category value repeats`,
    );
  }
  const total = counts.reduce((s, c) => s + c, 0);
  if (f.missing > f.count || total > f.count - f.missing) {
    throw invalid(
      `${at}.categories.counts`,
      `Profile feature '${f.name}': category counts exceed the rows with a value`,
    );
  }
  return { ...f, distinct: { registers } };
}

function decodeRegisters(text: string, field: string): Uint8Array {
  const bytes = Buffer.from(text, "base64");
  if (bytes.length !== 1 << HLL_PRECISION || bytes.toString("base64") !== text) {
    throw invalid(field, `Profile field '${field}' must be ${1 << HLL_PRECISION} base64 registers`);
  }
  if (bytes.some((r) => r > 32 - HLL_PRECISION + 1)) {
    throw invalid(field, `Profile field '${field}' has a register out of range`);
  }
  return new Uint8Array(bytes);
}

function invalid(field: string, message: string): PlinthError {
  return new PlinthError("MONITORING_INVALID_PROFILE", message, { field });
}
