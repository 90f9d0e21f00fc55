import type { FastifyInstance } from "fastify";
import { createPipelineScheduler } from "../../pipelines/schedules/create-pipeline-scheduler.ts";
import { createMetadataScheduleStore } from "../../pipelines/schedules/metadata/create-metadata-schedule-store.ts";
import { createPipelineService } from "../../pipelines/service/create-pipeline-service.ts";
import type { Platform } from "../../platform.ts";
import { registerPipelineRoutes } from "./pipeline-routes.ts";

/**
 * Makes the server a pipeline host: the trigger and run routes, and the cron schedules,
 * which it fires for as long as it serves (every server over the same metadata store
 * fires each tick once between them). Closing the server stops the scheduler and cancels
 * the runs it started.
 */
export function registerPipelines(app: FastifyInstance, platform: Platform): void {
  const log = platform.logger.child({ component: "pipelines" });
  const service = createPipelineService({
    platform,
    executor: platform.config.pipelines.executor,
    logger: log,
  });
  registerPipelineRoutes(app, platform, service);
  const scheduler = createPipelineScheduler({
    schedules: createMetadataScheduleStore(platform.metadata),
    fire: async (schedule) =>
      (
        await service.trigger({
          pipeline: schedule.pipelineName,
          params: schedule.params,
          triggeredBy: `schedule:${schedule.scheduleId}`,
        })
      ).runId,
    onError: (error, schedule) =>
      log.warn({ err: error, schedule: schedule?.scheduleId }, "pipeline schedule did not fire"),
  });
  app.addHook("onClose", async () => {
    await scheduler.stop();
    await service.close();
  });
}
