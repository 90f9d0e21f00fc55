import { LABEL_OPENAPI_PATHS } from "./monitoring/label-openapi.ts";
import { PIPELINE_OPENAPI_PATHS } from "./pipelines/pipeline-openapi.ts";
import { SERVING_OPENAPI_PATHS } from "./serving/serving-openapi.ts";

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
    "/api/features/online": {
      post: {
        summary:
          "Online features (Feast's get-online-features): entity keys in, per feature its values, statuses and event times out. Ttl is enforced against the current time; on-demand features are computed in the call.",
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["entities"],
                additionalProperties: false,
                properties: {
                  feature_service: { type: "string", description: "A feature service name" },
                  features: {
                    type: "array",
                    items: { type: "string" },
                    description: "Or references: 'view:feature', 'view', or an on-demand view",
                  },
                  entities: {
                    type: "object",
                    description:
                      "Columns of join keys (and request fields), one value per entity row; at most 1000 rows",
                    additionalProperties: { type: "array", items: {} },
                  },
                  full_feature_names: { type: "boolean" },
                },
              },
            },
          },
        },
        responses: {
          "200": {
            description:
              "One result per feature name (join keys first), each with one entry per entity row",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: {
                    metadata: {
                      type: "object",
                      properties: { feature_names: { type: "array", items: { type: "string" } } },
                    },
                    results: {
                      type: "array",
                      items: {
                        type: "object",
                        properties: {
                          values: {
                            type: "array",
                            items: {},
                            description:
                              "int64 as a number (as text beyond 2^53), timestamps as ISO-8601, null unless PRESENT",
                          },
                          statuses: {
                            type: "array",
                            items: {
                              enum: ["PRESENT", "NULL_VALUE", "NOT_FOUND", "OUTSIDE_MAX_AGE"],
                            },
                          },
                          event_timestamps: {
                            type: "array",
                            items: { type: ["string", "null"] },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          "400": { $ref: "#/components/responses/Error" },
          "404": { $ref: "#/components/responses/Error" },
          "413": { $ref: "#/components/responses/Error" },
          "503": { $ref: "#/components/responses/Error" },
        },
      },
    },
    "/api/features/push/{pushSource}": {
      post: {
        summary:
          "Pushes rows to a push source: written to its online views (an older event never overwrites a newer one) and, with writeOffline, appended to its batch source.",
        parameters: [
          { name: "pushSource", in: "path", required: true, schema: { type: "string" } },
        ],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                additionalProperties: false,
                description:
                  "Exactly one of rows or df; every column of the push source's schema in every row; at most 10000 rows",
                properties: {
                  rows: { type: "array", items: { type: "object" } },
                  df: { type: "object", additionalProperties: { type: "array", items: {} } },
                },
              },
            },
          },
        },
        responses: {
          "200": {
            description: "What was written",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: {
                    push_source: { type: "string" },
                    rows: { type: "integer" },
                    written: {
                      type: "object",
                      additionalProperties: { type: "integer" },
                      description: "Per online view: records that replaced or created a stored one",
                    },
                    appended_offline: { type: "boolean" },
                  },
                },
              },
            },
          },
          "400": { $ref: "#/components/responses/Error" },
          "404": { $ref: "#/components/responses/Error" },
          "413": { $ref: "#/components/responses/Error" },
          "503": { $ref: "#/components/responses/Error" },
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
    ...LABEL_OPENAPI_PATHS,
    ...SERVING_OPENAPI_PATHS,
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
