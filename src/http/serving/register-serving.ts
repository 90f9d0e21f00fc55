import type { FastifyInstance } from "fastify";
import type { Platform } from "../../platform.ts";
import { createPredictionLog } from "../../serving/prediction-log/create-prediction-log.ts";
import type { PredictionLog } from "../../serving/prediction-log/prediction-log.ts";
import { createServingRuntime } from "../../serving/runtime/create-serving-runtime.ts";
import type { ServingRuntime } from "../../serving/serving-runtime.ts";
import { createServingHandler } from "./create-serving-handler.ts";
import { registerDeploymentRoutes } from "./deployment-routes.ts";
import type { HotPath } from "./hot-path.ts";

/** Which deployments a server runs, and where their predictions are logged. */
export interface ServingOptions {
  /** Only these deployments (default: every deployment in the store, as they come and go). */
  readonly deployments?: readonly string[];
  /**
   * The prediction log every prediction goes to, closed with the server; default one over
   * the platform's artifact store with `config.predictionLog`'s settings.
   */
  readonly predictionLog?: PredictionLog;
  /** How often aliases and deployments are re-read, ms (the runtime's default otherwise). */
  readonly pollIntervalMs?: number;
}

/**
 * Makes `app` a model server: starts the serving runtime over `platform`, puts the hot path
 * (predict, OIP V2) in front of Fastify through `hot`, and registers the deployment routes
 * and `/metrics`. Closing the app stops the runtime and closes the prediction log.
 * Resolves to the runtime (tests and `plinth serve` read its state).
 */
export async function registerServing(
  app: FastifyInstance,
  platform: Platform,
  hot: HotPath,
  options: ServingOptions = {},
): Promise<ServingRuntime> {
  const logger = platform.logger.child({ component: "serving" });
  const predictionLog =
    options.predictionLog ??
    createPredictionLog({
      artifacts: platform.artifacts,
      ...platform.config.predictionLog,
      onError: (error) => logger.warn({ err: error }, "prediction log write failed; retrying"),
    });
  const runtime = await createServingRuntime({
    platform,
    predictionLog,
    ...(options.deployments === undefined ? {} : { deployments: options.deployments }),
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
  });
  hot.handler = createServingHandler({
    runtime,
    bodyLimitBytes: platform.config.server.bodyLimitBytes,
    logger,
  });
  registerDeploymentRoutes(app, {
    deployments: platform.deployments,
    runtime,
    predictionLog,
    logger,
  });
  app.addHook("onClose", async () => {
    hot.handler = undefined;
    await runtime.close();
    await predictionLog.close();
  });
  return runtime;
}
