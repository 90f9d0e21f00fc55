import type { PredictionRecord } from "../prediction-record.ts";

/** A deterministic record for request `i`: every field is a function of `i`, so a reader can check it is whole. */
export function makeRecord(i: number, at: number, deployment = "fraud"): PredictionRecord {
  return {
    requestId: `r${i}`,
    at,
    deployment,
    variant: i % 10 === 0 ? "challenger" : "champion",
    shadow: i % 20 === 0,
    modelName: "fraud",
    modelVersion: String(1 + (i % 3)),
    entities: { user_id: i % 97, card: `c-${i % 13}` },
    features: {
      amount: (i * 7.25) % 1000,
      hour: i % 24,
      country: ["FR", "DE", "US", null][i % 4] ?? null,
      ratio: i % 11 === 0 ? Number.NaN : i / 3,
    },
    outputs: { score: (i % 100) / 100, probabilities: [1 - (i % 100) / 100, (i % 100) / 100] },
    latencyMs: (i % 50) / 10,
  };
}
