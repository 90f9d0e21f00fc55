/** The OpenAPI description of the pipeline routes (`pipeline-routes.ts`). */

const error = { $ref: "#/components/responses/Error" } as const;
const runId = {
  name: "run_id",
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[0-9a-f]{32}$" },
} as const;

const run = {
  type: "object",
  properties: {
    run_id: { type: "string" },
    pipeline: { type: "string" },
    status: { enum: ["running", "succeeded", "failed", "cancelled"] },
    error: { type: ["string", "null"] },
    params: { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } },
    triggered_by: { type: ["string", "null"], description: "cli, api or schedule:<id>" },
    tracking_run_id: { type: ["string", "null"], description: "the parent tracking run" },
    resumed_from: { type: ["string", "null"] },
    start_time: { type: "integer", description: "epoch milliseconds" },
    end_time: { type: ["integer", "null"] },
    cancel_requested: { type: "boolean" },
    steps: {
      type: "array",
      items: {
        type: "object",
        properties: {
          step: { type: "string" },
          status: {
            enum: ["pending", "running", "succeeded", "cached", "failed", "skipped", "cancelled"],
          },
          attempts: { type: "integer" },
          cached_from: {
            type: ["string", "null"],
            description: "the run whose outputs were reused",
          },
          start_time: { type: ["integer", "null"] },
          end_time: { type: ["integer", "null"] },
          outputs: {
            type: ["object", "null"],
            description: "output name -> {encoding, sha256, size} in the content-addressed store",
          },
          error: {
            type: ["object", "null"],
            properties: { code: { type: ["string", "null"] }, message: { type: "string" } },
          },
          tracking_run_id: { type: ["string", "null"] },
        },
      },
    },
  },
} as const;

export const PIPELINE_OPENAPI_PATHS = {
  "/api/pipelines": {
    get: {
      summary: "The pipelines this server can run by name: built-in and registered ones.",
      responses: {
        "200": {
          description: "Pipelines",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  pipelines: {
                    type: "array",
                    items: {
                      type: "object",
                      properties: {
                        name: { type: "string" },
                        module: { type: "string", description: "builtin:<name> or a file:// URL" },
                        description: { type: "string" },
                        builtin: { type: "boolean" },
                        params: { type: "object", description: "declared parameters" },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  "/api/pipelines/runs": {
    post: {
      summary:
        "Triggers a run of a registered pipeline with parameters (e.g. monitoring retraining a model). Answers once the run is recorded; it runs on in the server (or its queue's workers).",
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["pipeline"],
              additionalProperties: false,
              properties: {
                pipeline: { type: "string", description: "a registered or built-in pipeline name" },
                params: {
                  type: "object",
                  additionalProperties: { type: ["string", "number", "boolean"] },
                  description:
                    "values for the declared parameters; strings are parsed to the declared type",
                },
                experiment: {
                  type: "string",
                  description: "tracking experiment (default: the pipeline name)",
                },
              },
            },
            example: { pipeline: "training", params: { model_name: "fraud", alias: "challenger" } },
          },
        },
      },
      responses: {
        "201": {
          description: "The run was recorded and started; Location points at it",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: { run_id: { type: "string" }, status: { const: "running" } },
              },
            },
          },
        },
        "400": error,
        "404": error,
      },
    },
    get: {
      summary: "Pipeline runs, newest first.",
      parameters: [
        { name: "pipeline", in: "query", schema: { type: "string" } },
        { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 10000 } },
      ],
      responses: {
        "200": {
          description: "Runs (without their steps)",
          content: {
            "application/json": {
              schema: { type: "object", properties: { runs: { type: "array", items: run } } },
            },
          },
        },
        "400": error,
      },
    },
  },
  "/api/pipelines/runs/{run_id}": {
    get: {
      summary: "One pipeline run with its steps: status, attempts, cache hits, outputs, errors.",
      parameters: [runId],
      responses: {
        "200": { description: "The run", content: { "application/json": { schema: run } } },
        "404": error,
      },
    },
  },
  "/api/pipelines/runs/{run_id}/logs": {
    get: {
      summary: "The log lines of a run's steps, in step order (one step's with ?step=).",
      parameters: [runId, { name: "step", in: "query", schema: { type: "string" } }],
      responses: {
        "200": {
          description: "Logs",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  logs: {
                    type: "array",
                    items: {
                      type: "object",
                      properties: { step: { type: "string" }, logs: { type: "string" } },
                    },
                  },
                },
              },
            },
          },
        },
        "404": error,
      },
    },
  },
  "/api/pipelines/runs/{run_id}/cancel": {
    post: {
      summary:
        "Cancels a run: the process driving it stops it within a heartbeat (requested); a run whose driver was killed is marked cancelled at once (cancelled).",
      parameters: [runId],
      responses: {
        "200": {
          description: "What happened",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  run_id: { type: "string" },
                  outcome: { enum: ["requested", "cancelled", "finished"] },
                },
              },
            },
          },
        },
        "404": error,
      },
    },
  },
} as const;
