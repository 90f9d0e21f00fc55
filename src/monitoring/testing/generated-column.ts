import { createSeededRandom } from "../../core/seeded-random.ts";

/**
 * A seeded column that the drift fixtures' Python script generates identically
 * (`fixtures/make-fixtures.py` ports `createSeededRandom`), so large samples need not be
 * stored in the fixture. Only + − × ÷ and floor touch the uniforms: those are exact IEEE
 * operations in both languages, while exp/log/pow may differ in the last bit.
 */
export interface ColumnSpec {
  readonly seed: number;
  readonly n: number;
  /**
   * normal: loc + scale·(Σ of 12 uniforms − 6); rounded: the same, floored to one decimal;
   * integers: ⌊u·k⌋ + offset; constant: value; categories: "c" + ⌊u^skew·k⌋.
   */
  readonly kind: "normal" | "rounded" | "integers" | "constant" | "categories";
  readonly loc?: number;
  readonly scale?: number;
  readonly k?: number;
  readonly offset?: number;
  readonly value?: number;
  readonly skew?: number;
  /** Share of rows that are NaN (null for categories). */
  readonly nanRate?: number;
  /** Share of rows that are ±Infinity (numbers only). */
  readonly infRate?: number;
}

/** The numbers of a numeric spec. */
export function generateNumbers(spec: ColumnSpec): Float64Array {
  const out = new Float64Array(spec.n);
  generate(spec, (i, value) => {
    out[i] = value as number;
  });
  return out;
}

/** The values of a categories spec. */
export function generateCategories(spec: ColumnSpec): (string | null)[] {
  const out: (string | null)[] = new Array(spec.n);
  generate(spec, (i, value) => {
    out[i] = value as string | null;
  });
  return out;
}

function generate(spec: ColumnSpec, put: (i: number, value: number | string | null) => void): void {
  const rng = createSeededRandom(spec.seed);
  const nanRate = spec.nanRate ?? 0;
  const infRate = spec.infRate ?? 0;
  for (let i = 0; i < spec.n; i++) {
    const m = rng.next();
    let value: number | string;
    switch (spec.kind) {
      case "normal":
      case "rounded": {
        let s = 0;
        for (let j = 0; j < 12; j++) s += rng.next();
        value = (spec.loc ?? 0) + (spec.scale ?? 1) * (s - 6);
        if (spec.kind === "rounded") value = Math.floor(value * 10) / 10;
        break;
      }
      case "integers":
        value = Math.floor(rng.next() * (spec.k ?? 2)) + (spec.offset ?? 0);
        break;
      case "constant":
        value = spec.value ?? 0;
        break;
      case "categories": {
        const u = rng.next();
        let p = u;
        for (let j = 1; j < (spec.skew ?? 1); j++) p *= u;
        value = `c${Math.floor(p * (spec.k ?? 2))}`;
        break;
      }
    }
    if (m < nanRate) put(i, spec.kind === "categories" ? null : Number.NaN);
    else if (m < nanRate + infRate)
      put(i, rng.next() < 0.5 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY);
    else put(i, value);
  }
}
