import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSeededRandom } from "../../src/core/seeded-random.ts";

/** Where the generated arrays are cached between runs (git-ignored). */
export const DATA_DIR = join(import.meta.dirname, "..", ".data", "monitoring");

/** Columns per table: 24 continuous (some with NaN and ±Infinity) and 6 with 2 to 5 values. */
export const FEATURES = 30;
const CONTINUOUS = 24;
const LEVELS = [2, 3, 4, 5, 3, 2];

/** The sizes of one bench run. */
export interface BenchSizes {
  readonly profileRows: number;
  readonly driftRows: number;
}

/** Column-major tables: `features` arrays of `rows` values each. */
export interface BenchTables {
  readonly profile: Float64Array[];
  readonly reference: Float64Array[];
  readonly current: Float64Array[];
}

/**
 * Generates (or loads from DATA_DIR) the bench's tables and writes them as raw float64 files
 * for the NumPy peer: `profile.bin`, `reference.bin`, `current.bin`, column after column.
 * Every third continuous column of `current` is shifted by a third of its scale and every
 * other discrete column re-weighted, so the drift table has both verdicts.
 */
export function prepareTables(sizes: BenchSizes, dir = DATA_DIR): BenchTables {
  mkdirSync(dir, { recursive: true });
  const metaPath = join(dir, "meta.json");
  const meta = { ...sizes, features: FEATURES, version: 1 };
  const cached = existsSync(metaPath) && readFileSync(metaPath, "utf8") === JSON.stringify(meta);
  const load = (name: string, rows: number, seed: number, drifted: boolean) => {
    const path = join(dir, `${name}.bin`);
    if (cached && existsSync(path)) {
      const bytes = readFileSync(path);
      const all = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
      return Array.from({ length: FEATURES }, (_, f) => all.slice(f * rows, (f + 1) * rows));
    }
    const columns = generate(rows, seed, drifted);
    const all = new Float64Array(rows * FEATURES);
    for (const [f, c] of columns.entries()) all.set(c, f * rows);
    writeFileSync(path, new Uint8Array(all.buffer));
    return columns;
  };
  const tables = {
    profile: load("profile", sizes.profileRows, 1, false),
    reference: load("reference", sizes.driftRows, 2, false),
    current: load("current", sizes.driftRows, 3, true),
  };
  writeFileSync(metaPath, JSON.stringify(meta));
  return tables;
}

function generate(rows: number, seed: number, drifted: boolean): Float64Array[] {
  const rng = createSeededRandom(seed);
  return Array.from({ length: FEATURES }, (_, f) => {
    const out = new Float64Array(rows);
    if (f < CONTINUOUS) {
      const scale = 10 ** ((f % 5) - 1);
      const loc = (f - 12) * scale;
      const shift = drifted && f % 3 === 0 ? scale / 3 : 0;
      for (let i = 0; i < rows; i++) {
        const u = rng.next();
        if (f % 4 === 0 && u < 0.02) out[i] = Number.NaN;
        else if (f % 8 === 0 && u < 0.021)
          out[i] = u < 0.0205 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
        else out[i] = loc + shift + scale * (rng.next() + rng.next() + rng.next() - 1.5);
      }
    } else {
      const k = LEVELS[f - CONTINUOUS]!;
      const skew = drifted && f % 2 === 0;
      for (let i = 0; i < rows; i++) {
        const u = rng.next();
        out[i] = Math.floor((skew ? u * u : u) * k);
      }
    }
    return out;
  });
}
