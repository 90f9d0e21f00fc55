import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Platform } from "../../platform.ts";
import type { ServingRuntime } from "../../serving/serving-runtime.ts";
import { PLINTH_VERSION } from "../../version.ts";
import { installErrorHandling } from "../error-handling.ts";
import { createHotPath } from "./hot-path.ts";
import { registerServing, type ServingOptions } from "./register-serving.ts";

/** A model server: the Fastify app (health, deployments, metrics) and its serving runtime. */
export interface ServingServer {
  readonly app: FastifyInstance;
  readonly runtime: ServingRuntime;
}

/**
 * The server `plinth serve` runs: only the serving faces — the hot path (`POST
 * /api/deployments/{name}/predict`, the OIP V2 routes), the deployment routes, `/metrics` and
 * `/health` — without tracking, registry routes or pipeline schedules, so any number of
 * replicas can run over one metadata store and online store.
 *
 * @example
 * const { app } = await createServingServer(platform, { deployments: ["fraud"] });
 * await app.listen({ host: "127.0.0.1", port: 8080 });
 */
export async function createServingServer(
  platform: Platform,
  options: ServingOptions = {},
): Promise<ServingServer> {
  const hot = createHotPath();
  const app = Fastify({
    loggerInstance: platform.logger.child({ component: "http" }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: platform.config.server.bodyLimitBytes,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    serverFactory: hot.serverFactory,
  });
  installErrorHandling(app);
  app.removeContentTypeParser("text/plain");
  app.get("/health", async () => ({ status: "ok", version: PLINTH_VERSION }));
  const runtime = await registerServing(app, platform, hot, options);
  await app.ready();
  return { app, runtime };
}
