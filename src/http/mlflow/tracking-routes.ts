import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { TrackingService } from "../../tracking/tracking-service.ts";
import type { RunStatus } from "../../tracking/types.ts";
import { readLogBatch } from "./log-batch-input.ts";
import { metricSchema, readInput, runRef, wire } from "./request-input.ts";
import { experimentToWire, metricToWire, runInfoToWire, runToWire } from "./wire.ts";

const BASE = "/api/2.0/mlflow";

const runIdOf = (input: { run_id?: string | undefined; run_uuid?: string | undefined }) =>
  input.run_id ?? input.run_uuid ?? "";

/** MlflowService: experiments, runs, metrics, params, tags and search. */
export function registerTrackingRoutes(app: FastifyInstance, tracking: TrackingService): void {
  const { experiments, runs } = tracking;

  const searchExperiments = z.object({
    max_results: wire.int64.optional(),
    page_token: wire.string.optional(),
    filter: wire.string.optional(),
    order_by: wire.stringList.optional(),
    view_type: wire.viewType.optional(),
  });
  const handleSearchExperiments = async (input: z.infer<typeof searchExperiments>) => {
    const page = await experiments.search({
      filter: input.filter,
      orderBy: input.order_by,
      maxResults: input.max_results,
      pageToken: input.page_token,
      viewType: input.view_type,
    });
    return { experiments: page.items.map(experimentToWire), next_page_token: page.nextPageToken };
  };

  const routes: Array<{
    method: "GET" | "POST";
    path: string;
    handle: (req: Parameters<typeof readInput>[1]) => Promise<unknown>;
  }> = [
    {
      method: "POST",
      path: "/experiments/create",
      handle: async (req) => {
        const input = readInput(
          z.object({
            name: wire.string,
            artifact_location: wire.string.optional(),
            tags: wire.keyValues.optional(),
          }),
          req,
        );
        const id = await experiments.create({
          name: input.name,
          artifactLocation: input.artifact_location === "" ? undefined : input.artifact_location,
          tags: input.tags,
        });
        return { experiment_id: id };
      },
    },
    {
      method: "GET",
      path: "/experiments/get",
      handle: async (req) => {
        const input = readInput(z.object({ experiment_id: wire.string }), req);
        return { experiment: experimentToWire(await experiments.get(input.experiment_id)) };
      },
    },
    {
      method: "GET",
      path: "/experiments/get-by-name",
      handle: async (req) => {
        const input = readInput(z.object({ experiment_name: wire.string }), req);
        return { experiment: experimentToWire(await experiments.getByName(input.experiment_name)) };
      },
    },
    {
      method: "POST",
      path: "/experiments/search",
      handle: async (req) => handleSearchExperiments(readInput(searchExperiments, req)),
    },
    {
      method: "GET",
      path: "/experiments/search",
      handle: async (req) => handleSearchExperiments(readInput(searchExperiments, req)),
    },
    {
      method: "POST",
      path: "/experiments/update",
      handle: async (req) => {
        const input = readInput(
          z.object({ experiment_id: wire.string, new_name: wire.string }),
          req,
        );
        await experiments.rename(input.experiment_id, input.new_name);
        return {};
      },
    },
    {
      method: "POST",
      path: "/experiments/delete",
      handle: async (req) => {
        await experiments.delete(
          readInput(z.object({ experiment_id: wire.string }), req).experiment_id,
        );
        return {};
      },
    },
    {
      method: "POST",
      path: "/experiments/restore",
      handle: async (req) => {
        await experiments.restore(
          readInput(z.object({ experiment_id: wire.string }), req).experiment_id,
        );
        return {};
      },
    },
    {
      method: "POST",
      path: "/experiments/set-experiment-tag",
      handle: async (req) => {
        const input = readInput(
          z.object({ experiment_id: wire.string, key: wire.string, value: wire.string }),
          req,
        );
        await experiments.setTag(input.experiment_id, input.key, input.value);
        return {};
      },
    },
    {
      method: "POST",
      path: "/runs/create",
      handle: async (req) => {
        const input = readInput(
          z.object({
            experiment_id: wire.string.optional(),
            user_id: wire.string.optional(),
            run_name: wire.string.optional(),
            start_time: wire.int64.optional(),
            tags: wire.keyValues.optional(),
          }),
          req,
        );
        const run = await runs.create({
          experimentId: input.experiment_id,
          userId: input.user_id,
          runName: input.run_name,
          startTime: input.start_time,
          tags: input.tags,
        });
        return { run: runToWire(run, false) };
      },
    },
    {
      method: "POST",
      path: "/runs/update",
      handle: async (req) => {
        const input = readInput(
          z.object({
            ...runRef,
            status: z.enum(["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]).optional(),
            end_time: wire.int64.optional(),
            run_name: wire.string.optional(),
          }),
          req,
        );
        const info = await runs.update(runIdOf(input), {
          status: input.status as RunStatus | undefined,
          endTime: input.end_time,
          runName: input.run_name,
        });
        return { run_info: runInfoToWire(info) };
      },
    },
    {
      method: "GET",
      path: "/runs/get",
      handle: async (req) => {
        const input = readInput(z.object(runRef), req);
        return { run: runToWire(await runs.get(runIdOf(input)), true) };
      },
    },
    {
      method: "POST",
      path: "/runs/delete",
      handle: async (req) => {
        await runs.delete(runIdOf(readInput(z.object(runRef), req)));
        return {};
      },
    },
    {
      method: "POST",
      path: "/runs/restore",
      handle: async (req) => {
        await runs.restore(runIdOf(readInput(z.object(runRef), req)));
        return {};
      },
    },
    {
      method: "POST",
      path: "/runs/log-parameter",
      handle: async (req) => {
        const input = readInput(z.object({ ...runRef, key: wire.string, value: wire.string }), req);
        await runs.logBatch(runIdOf(input), { params: [{ key: input.key, value: input.value }] });
        return {};
      },
    },
    {
      method: "POST",
      path: "/runs/log-metric",
      handle: async (req) => {
        const input = readInput(metricSchema.extend(runRef), req);
        await runs.logBatch(runIdOf(input), {
          metrics: [
            {
              key: input.key,
              value: input.value,
              timestamp: input.timestamp,
              step: input.step ?? 0,
            },
          ],
        });
        return {};
      },
    },
    {
      method: "POST",
      path: "/runs/set-tag",
      handle: async (req) => {
        const input = readInput(z.object({ ...runRef, key: wire.string, value: wire.string }), req);
        await runs.logBatch(runIdOf(input), { tags: [{ key: input.key, value: input.value }] });
        return {};
      },
    },
    {
      method: "POST",
      path: "/runs/delete-tag",
      handle: async (req) => {
        const input = readInput(z.object({ ...runRef, key: wire.string }), req);
        await runs.deleteTag(runIdOf(input), input.key);
        return {};
      },
    },
    {
      method: "POST",
      path: "/runs/log-batch",
      handle: async (req) => {
        const input = readLogBatch(req);
        await runs.logBatch(runIdOf(input), {
          metrics: input.metrics?.map((m) => ({ ...m, step: m.step ?? 0 })),
          params: input.params,
          tags: input.tags,
        });
        return {};
      },
    },
    {
      method: "GET",
      path: "/metrics/get-history",
      handle: async (req) => {
        const input = readInput(
          z.object({
            ...runRef,
            metric_key: wire.string,
            max_results: wire.int64.optional(),
            page_token: wire.string.optional(),
          }),
          req,
        );
        const page = await runs.metricHistory(runIdOf(input), input.metric_key, {
          maxResults: input.max_results,
          pageToken: input.page_token,
        });
        return {
          metrics: page.items.length === 0 ? undefined : page.items.map(metricToWire),
          next_page_token: page.nextPageToken,
        };
      },
    },
    {
      method: "POST",
      path: "/runs/search",
      handle: async (req) => {
        const input = readInput(
          z.object({
            experiment_ids: wire.stringList.optional(),
            filter: wire.string.optional(),
            run_view_type: wire.viewType.optional(),
            max_results: wire.int64.optional(),
            order_by: wire.stringList.optional(),
            page_token: wire.string.optional(),
          }),
          req,
        );
        const page = await runs.search({
          experimentIds: input.experiment_ids ?? [],
          filter: input.filter,
          runViewType: input.run_view_type,
          maxResults: input.max_results,
          orderBy: input.order_by,
          pageToken: input.page_token,
        });
        return {
          runs: page.items.length === 0 ? undefined : page.items.map((r) => runToWire(r, true)),
          next_page_token: page.nextPageToken,
        };
      },
    },
  ];

  for (const r of routes) {
    app.route({ method: r.method, url: BASE + r.path, handler: (req) => r.handle(req) });
  }
}
