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
    "/api/features/registry": {
      get: {
        summary:
          "The feature registry: the active version of every applied entity, feature view, on-demand view, service and push source (apply with `plinth features apply`).",
        responses: {
          "200": {
            description: "Objects by kind, each sorted by name",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: {
                    revision: {
                      type: "integer",
                      description: "the number of the last apply; 0 when empty",
                    },
                    entities: { $ref: "#/components/schemas/RegistryObjects" },
                    feature_views: { $ref: "#/components/schemas/RegistryObjects" },
                    on_demand_feature_views: { $ref: "#/components/schemas/RegistryObjects" },
                    feature_services: { $ref: "#/components/schemas/RegistryObjects" },
                    push_sources: { $ref: "#/components/schemas/RegistryObjects" },
                  },
                },
              },
            },
          },
        },
      },
    },
    "/api/features/datasets/{hash}": {
      get: {
        summary:
          "A saved training dataset by the sha256 of its Parquet bytes: lineage, registry versions and per-feature statistics (monitoring's reference profile).",
        parameters: [
          {
            name: "hash",
            in: "path",
            required: true,
            schema: { type: "string", pattern: "^[0-9a-f]{64}$" },
          },
        ],
        responses: {
          "200": {
            description: "The dataset",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: {
                    hash: { type: "string" },
                    name: { type: "string" },
                    feature_service: { type: "string" },
                    num_rows: { type: "integer" },
                    size_bytes: { type: "integer" },
                    artifact_key: { type: "string" },
                    lineage: { type: "object" },
                    statistics: {
                      type: "object",
                      description:
                        "numRows and per-feature count, missing, min, max, mean, std, quantiles, top categories",
                    },
                    registry_versions: {
                      type: "object",
                      additionalProperties: { type: ["integer", "null"] },
                    },
                    created_at: { type: "integer", description: "epoch milliseconds" },
                    created_by: { type: "string" },
                  },
                },
              },
            },
          },
          "400": { $ref: "#/components/responses/Error" },
          "404": { $ref: "#/components/responses/Error" },
        },
      },
    },
  },
  components: {
    schemas: {
      RegistryObjects: {
        type: "array",
        items: {
          type: "object",
          properties: {
            name: { type: "string" },
            version: { type: "integer" },
            spec: { type: "object", description: "the object's definition as JSON" },
            spec_hash: { type: "string" },
            created_revision: { type: "integer" },
            updated_revision: { type: "integer" },
            created_at: { type: "integer", description: "epoch milliseconds" },
            updated_at: { type: "integer", description: "epoch milliseconds" },
          },
        },
      },
    },
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
