import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { invalidArgument } from "../../core/errors.ts";
import { createMetadataAlertStore } from "../../monitoring/alerts/metadata/create-metadata-alert-store.ts";
import { createMonitoringScheduler } from "../../monitoring/loop/create-monitoring-scheduler.ts";
import { createPlatformMonitoringContext } from "../../monitoring/loop/create-platform-monitoring-context.ts";
import {
  alertEventJson,
  alertStateJson,
  decisionJson,
} from "../../monitoring/loop/monitoring-json.ts";
import { runMonitoringOnce } from "../../monitoring/loop/run-monitoring-once.ts";
import { createMetadataRetrainingDecisionStore } from "../../monitoring/retraining/metadata/create-metadata-retraining-decision-store.ts";
import { createPipelineService } from "../../pipelines/service/create-pipeline-service.ts";
import type { Platform } from "../../platform.ts";

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const historyQuery = z
  .object({
    deployment: z.string().regex(NAME, "expected a deployment name").optional(),
    rule: z.string().regex(NAME, "expected a rule name").optional(),
    limit: z
      .string()
      .regex(/^\d{1,5}$/, "expected an integer from 1 to 10000")
      .transform(Number)
      .refine((n) => n >= 1 && n <= 10_000, "expected an integer from 1 to 10000")
      .optional(),
  })
  .strict();

function parseQuery(query: unknown) {
  const parsed = historyQuery.safeParse(query ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.ZodIssue;
    const field =
      issue.code === "unrecognized_keys" ? String(issue.keys[0]) : issue.path.join(".") || "query";
    throw invalidArgument(
      field,
      issue.code === "unrecognized_keys" ? "unknown query parameter" : issue.message,
    );
  }
  return parsed.data;
}

/**
 * Monitoring's closed loop on the server: the alert history and retraining decision routes,
 * and — when config.json has alert rules or retraining policies — the loop itself, run every
 * `monitoring.intervalSeconds` by whichever server claims the tick. Closing the server stops
 * it, stops webhook retries and cancels the retraining runs it started.
 */
export function registerMonitoring(app: FastifyInstance, platform: Platform): void {
  const alerts = createMetadataAlertStore(platform.metadata);
  const decisions = createMetadataRetrainingDecisionStore(platform.metadata);

  app.get("/api/monitoring/alerts", async (req) => {
    const q = parseQuery(req.query);
    const events = await alerts.listEvents(q);
    const states = (await alerts.listStates(q.deployment)).filter(
      (s) => q.rule === undefined || s.rule === q.rule,
    );
    return { alerts: events.map(alertEventJson), states: states.map(alertStateJson) };
  });

  app.get("/api/monitoring/decisions", async (req) => {
    const { rule, ...q } = parseQuery(req.query);
    if (rule !== undefined)
      throw invalidArgument("rule", "decisions are filtered by deployment, not rule");
    return { decisions: (await decisions.list(q)).map(decisionJson) };
  });

  const { monitoring } = platform.config;
  if (monitoring.alerts.length === 0 && monitoring.retraining.length === 0) return;
  const log = platform.logger.child({ component: "monitoring" });
  const service = createPipelineService({
    platform,
    executor: platform.config.pipelines.executor,
    logger: log,
  });
  const { context, notifier } = createPlatformMonitoringContext(platform, service);
  const scheduler = createMonitoringScheduler({
    store: alerts,
    intervalMs: monitoring.intervalMs,
    pass: async (now) => {
      const pass = await runMonitoringOnce(context, { now });
      for (const d of pass.decisions)
        log.info({ decision: decisionJson(d) }, "retraining decision");
    },
    onError: (error) => log.warn({ err: error }, "monitoring pass failed"),
  });
  app.addHook("onClose", async () => {
    await scheduler.stop();
    await notifier.close();
    await service.close();
  });
}
