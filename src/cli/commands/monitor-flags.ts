import { invalidArgument } from "../../core/errors.ts";
import type { DriftOptions, StatTestChoice } from "../../monitoring/drift/drift-options.ts";
import { STATTEST_NAMES, type StatTestName } from "../../monitoring/drift/stattest.ts";
import type { OptionValues } from "../command.ts";

// Flag parsing for `plinth monitor`: each refuses a bad value naming the flag.

/** The drift options the flags ask for: --stattest, --drift-threshold, --stattest-for, --drift-share. */
export function driftOptions(values: OptionValues): DriftOptions {
  const threshold =
    values["drift-threshold"] === undefined
      ? undefined
      : numberFlag(values["drift-threshold"], "drift-threshold", 0);
  const all: StatTestChoice = {
    ...(typeof values.stattest === "string"
      ? { stattest: stattestName(values.stattest, "stattest") }
      : {}),
    ...(threshold === undefined ? {} : { threshold }),
  };
  const columns: Record<string, StatTestChoice> = {};
  if (typeof values["stattest-for"] === "string") {
    for (const pair of listFlag(values["stattest-for"])) {
      const at = pair.lastIndexOf("=");
      if (at <= 0)
        throw invalidArgument("stattest-for", `expected COLUMN=TEST pairs, got '${pair}'`);
      columns[pair.slice(0, at)] = { stattest: stattestName(pair.slice(at + 1), "stattest-for") };
    }
  }
  return {
    all,
    columns,
    ...(values["drift-share"] === undefined
      ? {}
      : { driftShare: numberFlag(values["drift-share"], "drift-share", 0.5) }),
  };
}

function stattestName(text: string, flag: string): StatTestName {
  if (!(STATTEST_NAMES as readonly string[]).includes(text)) {
    throw invalidArgument(
      flag,
      `'${text}' is not a drift test; choose one of ${STATTEST_NAMES.join(", ")}`,
    );
  }
  return text as StatTestName;
}

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `--window`: a number with a unit (ms, s, m, h, d) or bare milliseconds; default one day. */
export function windowOf(value: string | boolean | undefined): number {
  if (value === undefined) return UNITS.d!;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(String(value).trim());
  const ms = match === null ? Number.NaN : Number(match[1]) * UNITS[match[2] ?? "ms"]!;
  if (!(ms > 0 && Number.isFinite(ms)))
    throw invalidArgument(
      "window",
      `expected a duration like 1h, 30m or 1d, got '${String(value)}'`,
    );
  return ms;
}

export function numberFlag(
  value: string | boolean | undefined,
  flag: string,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(n)) {
    throw invalidArgument(flag, `expected a number, got '${String(value)}'`);
  }
  return n;
}

export function listFlag(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

export function required(values: OptionValues, flag: string, what: string): string {
  const value = values[flag];
  if (typeof value !== "string" || value === "")
    throw invalidArgument(flag, `is required: ${what}`);
  return value;
}
