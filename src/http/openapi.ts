import { PIPELINE_OPENAPI_PATHS } from "./pipelines/pipeline-openapi.ts";

/**
 * The OpenAPI document for plinth's own routes (the MLflow-compatible routes are documented
 * by MLflow's REST API reference). A test checks that every plinth route is in it.
 */
export const OPENAPI_DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "plinth",
    version: "0.1.0",
    description:
      "plinth's own REST routes. Tracking, registry and artifacts also speak the MLflow REST API 2.0 under /api/2.0/mlflow and /api/2.0/mlflow-artifacts.",
  },
  paths: {
    ...PIPELINE_OPENAPI_PATHS,
    "/health": {
      get: {
        summary: "Liveness and readiness: 200 once the stores are open.",
        responses: {
          "200": {
            description: "Ready",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: { status: { const: "ok" }, version: { type: "string" } },
                },
              },
            },
          },
        },
      },
    },
    "/api/openapi.json": {
      get: { summary: "This document.", responses: { "200": { description: "OpenAPI 3.1" } } },
    },
    "/api/registry/models/{name}/history": {
      get: {
        summary:
          "The audit history of a registered model: every change, who made it, when, before and after.",
        parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
        responses: {
          "200": {
            description: "Entries, oldest first",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: {
                    entries: {
                      type: "array",
                      items: {
                        type: "object",
                        properties: {
                          id: { type: "integer" },
                          at: { type: "integer", description: "epoch milliseconds" },
                          actor: { type: "string" },
                          action: { type: "string" },
                          model_name: { type: "string" },
                          version: { type: "string" },
                          before: {},
                          after: {},
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          "404": { $ref: "#/components/responses/Error" },
        },
      },
    },
  },
  components: {
    responses: {
      Error: {
        description: "A typed error",
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["error_code", "message"],
              properties: {
                error_code: { type: "string", description: "A code from docs/errors.md" },
                message: { type: "string" },
                field: { type: "string" },
              },
            },
          },
        },
      },
    },
  },
} as const;
