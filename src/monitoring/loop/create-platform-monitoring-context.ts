import { isPlinthError } from "../../core/errors.ts";
import type { PipelineService } from "../../pipelines/service/create-pipeline-service.ts";
import { createMetadataPipelineRunStore } from "../../pipelines/state/metadata/create-metadata-pipeline-run-store.ts";
import type { Platform } from "../../platform.ts";
import { createPredictionLogReader } from "../../serving/prediction-log/create-prediction-log-reader.ts";
import { createMonitorWindowMetricSource } from "../alerts/create-monitor-window-metric-source.ts";
import { createWebhookNotifier, type WebhookNotifier } from "../alerts/create-webhook-notifier.ts";
import { createMetadataAlertStore } from "../alerts/metadata/create-metadata-alert-store.ts";
import { createLabelStore } from "../labels/create-label-store.ts";
import { loadReferenceProfile } from "../reference/reference-profile.ts";
import { championVariant } from "../retraining/canary-variants.ts";
import { createMetadataRetrainingDecisionStore } from "../retraining/metadata/create-metadata-retraining-decision-store.ts";
import type { MonitoringLoopContext } from "./run-monitoring-once.ts";

/**
 * The monitoring loop over a platform's stores: metrics from its prediction log through
 * monitorWindow (drift against the champion version's stored reference profile, delayed
 * labels joined; a champion without a profile falls back to its training set), alert history and retraining decisions in
 * its metadata store, webhooks delivered in the background, retraining through `pipelines`.
 * Close the notifier when done.
 *
 * @example
 * const { context, notifier } = createPlatformMonitoringContext(platform, service);
 * await runMonitoringOnce(context, { now: Date.now() });
 * await notifier.close();
 */
export function createPlatformMonitoringContext(
  platform: Platform,
  pipelines: Pick<PipelineService, "trigger" | "idle">,
): { context: MonitoringLoopContext; notifier: WebhookNotifier } {
  const alerts = createMetadataAlertStore(platform.metadata);
  const reader = createPredictionLogReader(platform.artifacts);
  const notifier = createWebhookNotifier({
    store: alerts,
    config: platform.config.monitoring.webhook,
    onError: (error) => platform.logger.warn({ err: error }, "alert webhook delivery not recorded"),
  });
  const context: MonitoringLoopContext = {
    config: platform.config.monitoring,
    source: createMonitorWindowMetricSource({
      predictions: reader,
      labels: createLabelStore(platform.metadata),
      reference: async (deployment) => {
        const found = await platform.deployments.get(deployment).catch((error: unknown) => {
          // Predictions logged for a deployment since deleted: counts still, no drift.
          if (isPlinthError(error, "DEPLOYMENT_NOT_FOUND")) return undefined;
          throw error;
        });
        if (found === undefined) return undefined;
        const champion = championVariant(found);
        const selector =
          champion.alias !== undefined
            ? { alias: champion.alias }
            : { version: champion.version as string };
        try {
          const { profile, version } = await loadReferenceProfile(
            platform.artifacts,
            platform.registry,
            champion.model,
            selector,
          );
          return { profile, name: `${champion.model} version ${version}` };
        } catch (error) {
          if (isPlinthError(error, "MONITORING_NO_REFERENCE")) return undefined;
          throw error;
        }
      },
      threshold: async (deployment) => (await platform.deployments.get(deployment)).threshold,
    }),
    alerts,
    notifier,
    decisions: createMetadataRetrainingDecisionStore(platform.metadata),
    deployments: platform.deployments,
    registry: platform.registry,
    pipelines,
    runs: createMetadataPipelineRunStore(platform.metadata),
    ...(platform.config.featuresModule === undefined
      ? {}
      : { featuresModule: platform.config.featuresModule }),
  };
  return { context, notifier };
}
