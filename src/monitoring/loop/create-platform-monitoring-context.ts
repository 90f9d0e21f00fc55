import type { PipelineService } from "../../pipelines/service/create-pipeline-service.ts";
import { createMetadataPipelineRunStore } from "../../pipelines/state/metadata/create-metadata-pipeline-run-store.ts";
import type { Platform } from "../../platform.ts";
import { createPredictionLogReader } from "../../serving/prediction-log/create-prediction-log-reader.ts";
import { createRecordsMetricSource } from "../alerts/create-records-metric-source.ts";
import { createWebhookNotifier, type WebhookNotifier } from "../alerts/create-webhook-notifier.ts";
import { createMetadataAlertStore } from "../alerts/metadata/create-metadata-alert-store.ts";
import { createTrainingSetReference } from "../alerts/training-set-reference.ts";
import { createMetadataRetrainingDecisionStore } from "../retraining/metadata/create-metadata-retraining-decision-store.ts";
import type { MonitoringLoopContext } from "./run-monitoring-once.ts";

/**
 * The monitoring loop over a platform's stores: metrics from its prediction log (drift
 * against the champion version's training set), alert history and retraining decisions in
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
    source: createRecordsMetricSource({
      read: (q) => reader.read(q),
      reference: createTrainingSetReference({
        registry: platform.registry,
        deployments: platform.deployments,
        artifacts: platform.artifacts,
        tracking: platform.tracking,
      }),
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
