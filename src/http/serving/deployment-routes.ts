import type { FastifyInstance } from "fastify";
import { PlinthError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import type { Deployment } from "../../serving/deployments/deployment.ts";
import type { DeploymentStore } from "../../serving/deployments/deployment-store.ts";
import type { PredictionLog } from "../../serving/prediction-log/prediction-log.ts";
import type { DeploymentStatus, ServingRuntime } from "../../serving/serving-runtime.ts";

/** A stored deployment with what this server has loaded for it (absent when not served here). */
export type DeploymentWithStatus = Deployment & { readonly status?: DeploymentStatus };

/**
 * The deployments' management routes (`GET|POST /api/deployments`, `GET|DELETE
 * /api/deployments/{name}`, `PUT /api/deployments/{name}/variants`) and `GET /metrics`.
 * They are not on the hot path, so they run in Fastify with its error handling. A change
 * is applied to this server's runtime before the answer (other replicas follow on their
 * next poll); the body of a create is the store's spec (`{name, variants, stickyKey?,
 * threshold?, description?}`), validated by the store.
 */
export function registerDeploymentRoutes(
  app: FastifyInstance,
  options: {
    deployments: DeploymentStore;
    runtime: ServingRuntime;
    /** Its queue depth and drops join `/metrics` when there is one. */
    predictionLog?: PredictionLog;
    logger: Logger;
  },
): void {
  const { deployments, runtime, predictionLog, logger } = options;
  const withStatus = (d: Deployment): DeploymentWithStatus => {
    const status = runtime.deployments().find((s) => s.name === d.name);
    return status === undefined ? d : { ...d, status };
  };
  // A failed load is the runtime's state to report (status.lastError), not this request's.
  const refresh = () =>
    runtime.refresh().catch((error: unknown) => {
      logger.warn({ err: error }, "serving refresh after a deployment change failed");
    });

  app.get("/api/deployments", async () => ({
    deployments: (await deployments.list()).map(withStatus),
  }));
  app.post("/api/deployments", async (req, reply) => {
    const created = await deployments.create(bodyObject(req.body) as never);
    await refresh();
    return reply.status(201).send(withStatus(created));
  });
  app.get("/api/deployments/:name", async (req) => {
    const { name } = req.params as { name: string };
    return withStatus(await deployments.get(name));
  });
  app.delete("/api/deployments/:name", async (req) => {
    const { name } = req.params as { name: string };
    await deployments.delete(name);
    await refresh();
    return { deleted: name };
  });
  app.put("/api/deployments/:name/variants", async (req) => {
    const { name } = req.params as { name: string };
    const body = bodyObject(req.body);
    const keys = Object.keys(body);
    if (!("variants" in body) || keys.length !== 1) {
      throw new PlinthError("DEPLOYMENT_INVALID", "The body must be exactly {variants: [...]}", {
        field: keys.find((k) => k !== "variants") ?? "variants",
      });
    }
    const updated = await deployments.setVariants(name, body.variants as never);
    await refresh();
    return withStatus(updated);
  });
  app.get("/metrics", async (_req, reply) =>
    reply
      .header("content-type", "text/plain; version=0.0.4; charset=utf-8")
      .send(
        runtime.metrics.toPrometheus() +
          (predictionLog === undefined ? "" : predictionLogMetrics(predictionLog)),
      ),
  );
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new PlinthError("MALFORMED_REQUEST", "The request body must be a JSON object", {
      field: "body",
    });
  }
  return body as Record<string, unknown>;
}

/** The prediction log's queue as Prometheus gauges and counters. */
export function predictionLogMetrics(log: PredictionLog): string {
  const s = log.stats();
  return [
    "# HELP plinth_prediction_log_queue_depth Predictions accepted and not yet durable.",
    "# TYPE plinth_prediction_log_queue_depth gauge",
    `plinth_prediction_log_queue_depth ${s.queued}`,
    "# HELP plinth_prediction_log_written_total Predictions written to durable segments.",
    "# TYPE plinth_prediction_log_written_total counter",
    `plinth_prediction_log_written_total ${s.written}`,
    "# HELP plinth_prediction_log_dropped_total Predictions refused because the log queue was full.",
    "# TYPE plinth_prediction_log_dropped_total counter",
    `plinth_prediction_log_dropped_total ${s.dropped}`,
    "# HELP plinth_prediction_log_segments_total Prediction log segments written.",
    "# TYPE plinth_prediction_log_segments_total counter",
    `plinth_prediction_log_segments_total ${s.segments}`,
    "",
  ].join("\n");
}
