import type { FastifyInstance } from "fastify";
import { invalidArgument } from "../../core/errors.ts";
import { createLabelStore } from "../../monitoring/labels/create-label-store.ts";
import type { Platform } from "../../platform.ts";
import { createPredictionLogReader } from "../../serving/prediction-log/create-prediction-log-reader.ts";
import { checkDeploymentName } from "../../serving/prediction-log/segment-key.ts";
import { parseTime } from "./parse-time.ts";

/**
 * `POST /api/monitoring/labels` ingests delayed labels; `GET /api/monitoring/labels/coverage`
 * reports how many of a window's logged predictions have one.
 */
export function registerLabelRoutes(app: FastifyInstance, platform: Platform): void {
  const labels = createLabelStore(platform.metadata);
  const reader = createPredictionLogReader(platform.artifacts);

  app.post("/api/monitoring/labels", async (req) => {
    const body = req.body as unknown;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw invalidArgument("body", "must be an object {deployment, labels}");
    }
    const { deployment, labels: rows, from, to, ...rest } = body as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) {
      throw invalidArgument(extra, "is not a field (deployment, labels, from, to)");
    }
    const name = checkDeploymentName(deployment);
    if (!Array.isArray(rows)) throw invalidArgument("labels", "must be an array of labels");
    // With a window, the batch is matched against its logged predictions and the strays reported.
    let matchAgainst: Awaited<ReturnType<typeof reader.read>> | undefined;
    if (from !== undefined || to !== undefined) {
      const start = parseTime(from, "from");
      const end = parseTime(to, "to");
      if (end <= start) throw invalidArgument("to", "must be after 'from'");
      matchAgainst = await reader.read({ deployment: name, from: start, to: end });
    }
    const result = await labels.ingest(
      name,
      rows,
      matchAgainst === undefined ? {} : { matchAgainst },
    );
    return {
      deployment: name,
      received: result.received,
      inserted: result.inserted,
      replaced: result.replaced,
      by_request_id: result.byRequestId,
      by_entity: result.byEntity,
      ...(result.unmatched === undefined
        ? {}
        : { unmatched: result.unmatched, unmatched_sample: result.unmatchedSample }),
    };
  });

  app.get("/api/monitoring/labels/coverage", async (req) => {
    const query = req.query as Record<string, unknown>;
    for (const key of Object.keys(query)) {
      if (!["deployment", "from", "to"].includes(key))
        throw invalidArgument(key, "is not a parameter (deployment, from, to)");
    }
    const deployment = checkDeploymentName(query.deployment);
    const from = parseTime(query.from, "from");
    const to = parseTime(query.to, "to");
    if (to <= from) throw invalidArgument("to", "must be after 'from'");
    const records = await reader.read({ deployment, from, to });
    const c = await labels.coverage(deployment, { from, to }, records);
    return {
      deployment,
      from,
      to,
      predictions: c.predictions,
      labelled: c.labelled,
      coverage: c.coverage,
      by_variant: c.byVariant,
      unmatched: c.unmatched,
      unmatched_sample: c.unmatchedSample,
    };
  });
}
