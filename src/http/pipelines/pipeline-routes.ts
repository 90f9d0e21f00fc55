import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { invalidArgument, PlinthError } from "../../core/errors.ts";
import { NAME_PATTERN } from "../../pipelines/definition/step.ts";
import type { StepPlatform } from "../../pipelines/definition/step-platform.ts";
import { createMetadataRegisteredPipelineStore } from "../../pipelines/registered/metadata/create-metadata-registered-pipeline-store.ts";
import { STALE_RUN_MS } from "../../pipelines/run/run-pipeline.ts";
import type { PipelineService } from "../../pipelines/service/create-pipeline-service.ts";
import { createMetadataPipelineRunStore } from "../../pipelines/state/metadata/create-metadata-pipeline-run-store.ts";
import type { PipelineRunRecord, StepRunRecord } from "../../pipelines/state/pipeline-run-types.ts";

const triggerBody = z
  .object({
    pipeline: z.string().regex(NAME_PATTERN, "expected a pipeline name"),
    params: z
      .record(
        z.union([z.string().max(100_000), z.number(), z.boolean()], {
          errorMap: () => ({ message: "expected a string, number or boolean" }),
        }),
      )
      .optional(),
    experiment: z.string().min(1).max(500).optional(),
  })
  .strict();

const listQuery = z
  .object({
    pipeline: z.string().min(1).max(200).optional(),
    limit: z
      .string()
      .regex(/^\d{1,5}$/, "expected an integer from 1 to 10000")
      .transform(Number)
      .refine((n) => n >= 1 && n <= 10_000, "expected an integer from 1 to 10000")
      .optional(),
  })
  .strict();

const logsQuery = z.object({ step: z.string().regex(NAME_PATTERN).optional() }).strict();

/**
 * plinth's pipeline routes: trigger a run of a registered pipeline (what monitoring calls
 * to retrain), follow it, read its logs, cancel it, and list the pipelines a server knows.
 */
export function registerPipelineRoutes(
  app: FastifyInstance,
  platform: StepPlatform,
  service: PipelineService,
): void {
  const runs = createMetadataPipelineRunStore(platform.metadata);
  const registered = createMetadataRegisteredPipelineStore(platform.metadata);

  app.get("/api/pipelines", async () => ({
    pipelines: (await registered.list()).map((p) => ({
      name: p.name,
      module: p.module,
      description: p.description,
      builtin: p.builtin,
      params: p.params,
    })),
  }));

  app.post("/api/pipelines/runs", async (request, reply) => {
    const body = parse(triggerBody, request.body, "body");
    const { runId } = await service.trigger({
      pipeline: body.pipeline,
      params: body.params ?? {},
      triggeredBy: "api",
      ...(body.experiment === undefined ? {} : { experiment: body.experiment }),
    });
    return reply
      .status(201)
      .header("location", `/api/pipelines/runs/${runId}`)
      .send({ run_id: runId, status: "running" });
  });

  app.get("/api/pipelines/runs", async (request) => {
    const query = parse(listQuery, request.query, "query");
    const list = await runs.listRuns({
      limit: query.limit ?? 50,
      ...(query.pipeline === undefined ? {} : { pipelineName: query.pipeline }),
    });
    return { runs: list.map((r) => runJson(r)) };
  });

  app.get("/api/pipelines/runs/:run_id", async (request) => {
    const { run_id } = request.params as { run_id: string };
    return runJson(await runs.getRun(run_id));
  });

  app.get("/api/pipelines/runs/:run_id/logs", async (request) => {
    const { run_id } = request.params as { run_id: string };
    const query = parse(logsQuery, request.query, "query");
    return { logs: await runs.logs(run_id, query.step) };
  });

  app.post("/api/pipelines/runs/:run_id/cancel", async (request) => {
    const { run_id } = request.params as { run_id: string };
    return { run_id, outcome: await runs.requestCancel(run_id, STALE_RUN_MS) };
  });
}

/** A run in the REST API's snake_case, with its steps when it has them. */
function runJson(run: PipelineRunRecord & { steps?: readonly StepRunRecord[] }) {
  return {
    run_id: run.runId,
    pipeline: run.pipelineName,
    status: run.status,
    error: run.error,
    params: run.params,
    triggered_by: run.triggeredBy,
    tracking_run_id: run.trackingRunId,
    resumed_from: run.resumedFrom,
    start_time: run.startTime,
    end_time: run.endTime,
    cancel_requested: run.cancelRequestedAt !== null,
    ...(run.steps === undefined
      ? {}
      : {
          steps: run.steps.map((s) => ({
            step: s.step,
            status: s.status,
            attempts: s.attempts,
            cached_from: s.cachedFrom,
            start_time: s.startTime,
            end_time: s.endTime,
            outputs: s.outputs,
            error:
              s.error === null ? null : { code: s.error.code ?? null, message: s.error.message },
            tracking_run_id: s.trackingRunId,
          })),
        }),
  };
}

/** Checks a body or query, naming the first field at fault. */
function parse<S extends z.ZodTypeAny>(schema: S, value: unknown, what: string): z.infer<S> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new PlinthError("MALFORMED_REQUEST", `The request ${what} must be a JSON object`, {
      field: what,
    });
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.ZodIssue;
  const field = issue.path.join(".") || what;
  if (issue.code === "unrecognized_keys") {
    throw invalidArgument(issue.keys[0] ?? field, `is not a field of this request`);
  }
  const missing = issue.code === "invalid_type" && issue.received === "undefined";
  throw invalidArgument(field, missing ? "is required" : issue.message);
}
