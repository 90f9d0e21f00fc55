import { describe, invalidPackage } from "../json-field-readers.ts";
import type { LightgbmSection } from "./parse-lightgbm-text.ts";

/**
 * Readers for the text values of a LightGBM model section. Each throws
 * `MODELS_INVALID_PACKAGE` naming `<section>.<key>[<index>]`, so a malformed file is
 * reported where it is malformed.
 */

/** A decimal number as LightGBM writes it (`%.17g`); `inf` and `nan` are not numbers here. */
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const INTEGER = /^[-+]?\d{1,16}$/;

/** The raw text of `key`, which must be present. */
export function requireField(section: LightgbmSection, key: string): string {
  const value = section.fields.get(key);
  if (value === undefined) throw invalidPackage(`${section.name}.${key}`, "is missing");
  return value;
}

/** An integer field in `[min, max]`. */
export function readIntegerField(
  section: LightgbmSection,
  key: string,
  min: number,
  max: number,
): number {
  return parseInteger(requireField(section, key).trim(), `${section.name}.${key}`, min, max);
}

/** A whitespace-separated list; an empty value is an empty list. */
export function readTokens(section: LightgbmSection, key: string): string[] {
  const text = requireField(section, key).trim();
  return text === "" ? [] : text.split(/\s+/);
}

/** `count` integers in `[min, max]`; a different count is refused before anything is allocated. */
export function readIntegers(
  section: LightgbmSection,
  key: string,
  count: number,
  min: number,
  max: number,
): Int32Array {
  const tokens = readCounted(section, key, count);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = parseInteger(tokens[i] as string, `${section.name}.${key}[${i}]`, min, max);
  }
  return out;
}

/** `count` finite doubles, exactly as written (JavaScript and C parse decimals identically). */
export function readFiniteNumbers(
  section: LightgbmSection,
  key: string,
  count: number,
): Float64Array {
  const tokens = readCounted(section, key, count);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const token = tokens[i] as string;
    const value = NUMBER.test(token) ? Number(token) : Number.NaN;
    if (!Number.isFinite(value)) {
      throw invalidPackage(
        `${section.name}.${key}[${i}]`,
        `must be a finite number, got ${describe(token)}`,
      );
    }
    out[i] = value;
  }
  return out;
}

/** 32-bit unsigned words (category bitsets). */
export function readWords(section: LightgbmSection, key: string, count: number): Uint32Array {
  const tokens = readCounted(section, key, count);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = parseInteger(tokens[i] as string, `${section.name}.${key}[${i}]`, 0, 2 ** 32 - 1);
  }
  return out;
}

function readCounted(section: LightgbmSection, key: string, count: number): string[] {
  const tokens = readTokens(section, key);
  if (tokens.length !== count) {
    throw invalidPackage(
      `${section.name}.${key}`,
      `must have ${count} entries, got ${tokens.length}`,
    );
  }
  return tokens;
}

function parseInteger(token: string, path: string, min: number, max: number): number {
  if (!INTEGER.test(token)) {
    throw invalidPackage(path, `must be an integer, got ${describe(token)}`);
  }
  const value = Number(token);
  if (value < min || value > max) {
    throw invalidPackage(path, `must be in [${min}, ${max}], got ${value}`);
  }
  return value;
}
