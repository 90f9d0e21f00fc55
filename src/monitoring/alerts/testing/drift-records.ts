import { createSeededRandom } from "../../../core/seeded-random.ts";
import type { PredictionRecord } from "../../../serving/prediction-log/prediction-record.ts";
import type { DriftReference } from "../create-records-metric-source.ts";

/** Standard normal draws (Box-Muller) from a seeded generator. */
export function normals(seed: number, n: number, mean = 0): Float64Array {
  const rng = createSeededRandom(seed);
  return Float64Array.from({ length: n }, () => {
    const u = Math.max(rng.next(), 1e-12);
    return mean + Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  });
}

/** A training reference of two numeric features `amount` and `age`, standard normal. */
export function normalReference(rows = 400): DriftReference {
  return {
    features: [
      { kind: "numeric", name: "amount", values: normals(1, rows) },
      { kind: "numeric", name: "age", values: normals(2, rows) },
    ],
  };
}

/**
 * `n` logged predictions spread over [from, from + spanMs) with `amount` and `age` drawn
 * around `shift` (0: like the reference; 3: both features drifted).
 */
export function windowRecords(options: {
  deployment: string;
  from: number;
  spanMs: number;
  n: number;
  shift: number;
  seed: number;
}): PredictionRecord[] {
  const amount = normals(options.seed, options.n, options.shift);
  const age = normals(options.seed + 1000, options.n, options.shift);
  return Array.from({ length: options.n }, (_, i) => ({
    requestId: `${options.deployment}-${options.from}-${i}`,
    at: options.from + Math.floor((i * options.spanMs) / options.n),
    deployment: options.deployment,
    variant: "champion",
    shadow: false,
    modelName: "fraud",
    modelVersion: "1",
    entities: { user_id: i },
    features: { amount: amount[i] as number, age: age[i] as number },
    outputs: { score: 1 / (1 + Math.exp(-(amount[i] as number))) },
    latencyMs: 1,
  }));
}
