import { createSeededRandom } from "../core/seeded-random.ts";
import type { Platform } from "../platform.ts";
import { createPredictionLog } from "../serving/prediction-log/create-prediction-log.ts";
import { createServingRuntime } from "../serving/runtime/create-serving-runtime.ts";
import type { RowPrediction } from "../serving/serving-runtime.ts";

/** What the demo traffic did. */
export interface DemoTraffic {
  readonly requests: number;
  /** Share of requests scored above 0.5. */
  readonly flaggedShare: number;
  /** The first answer, as a caller sees it (with its top three contributions). */
  readonly example: RowPrediction;
  readonly logged: number;
  /** When the first and last prediction were made, epoch ms (the monitoring window). */
  readonly from: number;
  readonly to: number;
}

/**
 * Serves `requests` predictions through the deployment as `plinth serve` would — features
 * from the online store by card id, the amount from the request — and logs them. Today's
 * traffic is shifted on purpose (amounts about 1.6× the cards' usual), so the monitoring
 * report has drift to show.
 */
export async function serveDemoTraffic(
  platform: Platform,
  options: { deployment: string; cards: number; requests: number; seed: number },
): Promise<DemoTraffic> {
  const predictionLog = createPredictionLog({
    artifacts: platform.artifacts,
    ...platform.config.predictionLog,
  });
  const runtime = await createServingRuntime({ platform, predictionLog });
  const rng = createSeededRandom(options.seed + 1);
  let flagged = 0;
  let example: RowPrediction | undefined;
  const from = Date.now();
  try {
    for (let i = 0; i < options.requests; i++) {
      const body = {
        entities: { card_id: rng.nextInt(options.cards) },
        request: { amount: Math.round((40 + rng.next() * 260) * 1.6 * 100) / 100 },
        ...(i === 0 ? { explain: 3 } : {}),
      };
      const answer = (await runtime.predict(options.deployment, body)) as RowPrediction;
      example ??= answer;
      const p = Object.values(answer.outputs)[0] ?? 0;
      if (p > 0.5) flagged++;
    }
  } finally {
    await runtime.close();
    await predictionLog.close();
  }
  return {
    requests: options.requests,
    flaggedShare: flagged / options.requests,
    example: example as RowPrediction,
    logged: predictionLog.stats().written,
    from,
    to: Date.now() + 1,
  };
}
