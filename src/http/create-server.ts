import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Platform } from "../platform.ts";
import { PLINTH_VERSION } from "../version.ts";
import { installErrorHandling } from "./error-handling.ts";
import { registerFeatureRegistryRoutes } from "./features/feature-registry-routes.ts";
import { registerFeatureRoutes } from "./features/online-feature-routes.ts";
import { registerArtifactRoutes } from "./mlflow/artifact-routes.ts";
import { registerRegistryRoutes } from "./mlflow/registry-routes.ts";
import { registerTrackingRoutes } from "./mlflow/tracking-routes.ts";
import { registerLabelRoutes } from "./monitoring/label-routes.ts";
import { OPENAPI_DOCUMENT } from "./openapi.ts";
import { registerPipelines } from "./pipelines/register-pipelines.ts";
import { SERVING_HOT_ROUTES } from "./serving/create-serving-handler.ts";
import { createHotPath } from "./serving/hot-path.ts";
import { registerServing } from "./serving/register-serving.ts";

const ROUTES = new WeakMap<FastifyInstance, string[]>();

/** Every `METHOD /path` the server answers (for the OpenAPI completeness test and `--help`). */
export function listRoutes(app: FastifyInstance): readonly string[] {
  return ROUTES.get(app) ?? [];
}

/**
 * The plinth HTTP server: MLflow-compatible tracking, registry and artifacts, plus plinth's
 * own routes. Call `listen` on the result; `close` stops it (the platform stays open).
 *
 * @example
 * const app = await createServer(platform);
 * await app.listen({ host: "127.0.0.1", port: 5000 });
 */
export async function createServer(platform: Platform): Promise<FastifyInstance> {
  // The model server's hot path answers predict and OIP requests before Fastify sees them.
  const hot = createHotPath();
  const app = Fastify({
    loggerInstance: platform.logger.child({ component: "http" }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: platform.config.server.bodyLimitBytes,
    // MLflow clients send `?a=1&a=2` for lists; the default parser keeps them as arrays.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    serverFactory: hot.serverFactory,
  });
  installErrorHandling(app);
  // MLflow's API is JSON only: a text/plain body must be refused, not handed over as a string.
  app.removeContentTypeParser("text/plain");
  const routes: string[] = [];
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
  });
  ROUTES.set(app, routes);

  app.get("/health", async () => ({ status: "ok", version: PLINTH_VERSION }));
  app.get("/api/openapi.json", async () => OPENAPI_DOCUMENT);
  app.get("/api/registry/models/:name/history", async (req) => {
    const { name } = req.params as { name: string };
    await platform.registry.models.get(name);
    const entries = await platform.registry.history(name);
    return {
      entries: entries.map((e) => ({
        id: e.id,
        at: e.at,
        actor: e.actor,
        action: e.action,
        model_name: e.modelName,
        version: e.version,
        before: e.before,
        after: e.after,
      })),
    };
  });

  registerTrackingRoutes(app, platform.tracking);
  registerRegistryRoutes(app, platform.registry);
  registerArtifactRoutes(app, platform.artifacts, platform.tracking);
  registerFeatureRoutes(app, platform);
  registerFeatureRegistryRoutes(app, platform.featureRegistry, platform.savedDatasets);
  registerPipelines(app, platform);
  registerLabelRoutes(app, platform);
  await registerServing(app, platform, hot);
  routes.push(...SERVING_HOT_ROUTES);
  await app.ready();
  return app;
}
