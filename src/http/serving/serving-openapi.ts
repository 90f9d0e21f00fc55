/** OpenAPI paths of the model server: plinth's predict, the OIP V2 routes, deployments, metrics. */

const error = { $ref: "#/components/responses/Error" } as const;
/** The hot path answers errors in the Open Inference Protocol's shape. */
const oipError = {
  description: "A typed error: `error` (the message, OIP), `error_code` and `field`",
  content: {
    "application/json": {
      schema: {
        type: "object",
        required: ["error", "error_code"],
        properties: {
          error: { type: "string" },
          error_code: { type: "string", description: "A code from docs/errors.md" },
          field: { type: "string" },
        },
      },
    },
  },
} as const;
const name = { name: "name", in: "path", required: true, schema: { type: "string" } } as const;
const version = {
  name: "version",
  in: "path",
  required: true,
  schema: { type: "string" },
} as const;
const json = (schema: object, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const instance = {
  type: "object",
  properties: {
    entities: {
      type: "object",
      description: "The join keys of the model's feature service, e.g. {card_id: 7}",
    },
    request: {
      type: "object",
      description:
        "Request-time fields: model inputs not in the feature service, and on-demand features' request data",
    },
  },
} as const;
const rowPrediction = {
  type: "object",
  properties: {
    request_id: { type: "string" },
    deployment: { type: "string" },
    variant: { type: "string" },
    model: {
      type: "object",
      properties: { name: { type: "string" }, version: { type: "string" } },
    },
    outputs: { type: "object", additionalProperties: { type: "number" } },
    contributions: {
      type: "array",
      items: {
        type: "object",
        properties: { feature: { type: "string" }, value: { type: "number" } },
      },
    },
  },
} as const;
const tensor = {
  type: "object",
  required: ["name", "shape", "datatype", "data"],
  properties: {
    name: { type: "string" },
    shape: { type: "array", items: { type: "integer" } },
    datatype: { enum: ["FP64", "FP32", "INT64", "INT32", "BOOL", "BYTES"] },
    data: { type: "array" },
  },
} as const;
const modelMetadata = {
  type: "object",
  properties: {
    name: { type: "string" },
    versions: { type: "array", items: { type: "string" } },
    platform: { type: "string" },
    inputs: { type: "array", items: { type: "object" } },
    outputs: { type: "array", items: { type: "object" } },
  },
} as const;
const inferRequest = {
  type: "object",
  required: ["inputs"],
  properties: { id: { type: "string" }, inputs: { type: "array", items: tensor } },
} as const;
const inferResponse = {
  type: "object",
  properties: {
    model_name: { type: "string" },
    model_version: { type: "string" },
    id: { type: "string" },
    outputs: { type: "array", items: tensor },
  },
} as const;
const variant = {
  type: "object",
  required: ["name", "model", "weight", "shadow"],
  properties: {
    name: { type: "string" },
    model: { type: "string", description: "A registered model" },
    alias: {
      type: "string",
      description: "Followed as it moves (exactly one of alias and version)",
    },
    version: { type: "string" },
    weight: {
      type: "number",
      description: "Share of live traffic, 0-100; live weights sum to 100",
    },
    shadow: { type: "boolean", description: "Scored and logged, never returned" },
  },
} as const;
const deployment = {
  type: "object",
  properties: {
    name: { type: "string" },
    variants: { type: "array", items: variant },
    stickyKey: { type: "string" },
    threshold: { type: "number" },
    description: { type: "string" },
    createdAt: { type: "integer", description: "epoch milliseconds" },
    updatedAt: { type: "integer", description: "epoch milliseconds" },
    status: {
      type: "object",
      description:
        "What this server has loaded for the deployment; absent when it does not serve it",
    },
  },
} as const;
const ready = (what: string) => ({
  "200": json({ type: "object" }, `${what} is ready`),
  "503": json({ type: "object" }, `${what} is not ready yet`),
});

export const SERVING_OPENAPI_PATHS = {
  "/api/deployments/{name}/predict": {
    post: {
      summary:
        "Scores one row ({entities, request, explain?}) or a batch ({instances: [...], explain?}): fetches the model's features from the online store, computes on-demand features, validates, predicts. Served outside Fastify (the hot path). An x-request-id header sets the request id.",
      parameters: [name],
      requestBody: {
        content: {
          "application/json": {
            schema: {
              oneOf: [
                {
                  ...instance,
                  properties: { ...instance.properties, explain: { type: "integer" } },
                },
                {
                  type: "object",
                  properties: {
                    instances: { type: "array", items: instance },
                    explain: { type: "integer" },
                  },
                },
              ],
            },
          },
        },
      },
      responses: {
        "200": json(
          {
            oneOf: [
              rowPrediction,
              {
                type: "object",
                properties: {
                  deployment: { type: "string" },
                  predictions: { type: "array", items: rowPrediction },
                },
              },
            ],
          },
          "The prediction (or one per instance)",
        ),
        "400": oipError,
        "404": oipError,
        "413": oipError,
        "503": oipError,
      },
    },
  },
  "/v2": {
    get: {
      summary: "Open Inference Protocol V2 server metadata.",
      responses: { "200": json({ type: "object" }, "name, version, extensions") },
    },
  },
  "/v2/health/live": {
    get: {
      summary: "OIP server liveness.",
      responses: { "200": json({ type: "object" }, "Live") },
    },
  },
  "/v2/health/ready": {
    get: {
      summary: "OIP server readiness: every served deployment is loaded.",
      responses: ready("The server"),
    },
  },
  "/v2/models/{name}": {
    get: {
      summary: "OIP model metadata of a served deployment (its name is the model name).",
      parameters: [name],
      responses: { "200": json(modelMetadata, "Model metadata"), "404": oipError },
    },
  },
  "/v2/models/{name}/ready": {
    get: {
      summary: "OIP model readiness.",
      parameters: [name],
      responses: { ...ready("The model"), "404": oipError },
    },
  },
  "/v2/models/{name}/infer": {
    post: {
      summary: "OIP inference: the whole feature vector as named tensors; no feature lookup.",
      parameters: [name],
      requestBody: { content: { "application/json": { schema: inferRequest } } },
      responses: {
        "200": json(inferResponse, "Outputs"),
        "400": oipError,
        "404": oipError,
        "413": oipError,
        "503": oipError,
      },
    },
  },
  "/v2/models/{name}/versions/{version}": {
    get: {
      summary: "OIP model metadata of one loaded registry version.",
      parameters: [name, version],
      responses: { "200": json(modelMetadata, "Model metadata"), "404": oipError },
    },
  },
  "/v2/models/{name}/versions/{version}/ready": {
    get: {
      summary: "OIP readiness of one registry version of a served deployment.",
      parameters: [name, version],
      responses: { ...ready("The version"), "404": oipError },
    },
  },
  "/v2/models/{name}/versions/{version}/infer": {
    post: {
      summary: "OIP inference by the variant that has this registry version loaded.",
      parameters: [name, version],
      requestBody: { content: { "application/json": { schema: inferRequest } } },
      responses: {
        "200": json(inferResponse, "Outputs"),
        "400": oipError,
        "404": oipError,
        "413": oipError,
        "503": oipError,
      },
    },
  },
  "/api/deployments": {
    get: {
      summary: "Every deployment, with what this server has loaded for each.",
      responses: {
        "200": json(
          { type: "object", properties: { deployments: { type: "array", items: deployment } } },
          "By name",
        ),
      },
    },
    post: {
      summary:
        "Creates a deployment ({name, variants, stickyKey?, threshold?, description?}); this server loads it before answering.",
      requestBody: { content: { "application/json": { schema: deployment } } },
      responses: { "201": json(deployment, "Created"), "400": error, "409": error },
    },
  },
  "/api/deployments/{name}": {
    get: {
      summary: "One deployment and its load status.",
      parameters: [name],
      responses: { "200": json(deployment, "The deployment"), "404": error },
    },
    delete: {
      summary: "Deletes a deployment; servers stop serving it.",
      parameters: [name],
      responses: { "200": json({ type: "object" }, "{deleted: name}"), "404": error },
    },
  },
  "/api/deployments/{name}/variants": {
    put: {
      summary: "Replaces the variants ({variants: [...]}): a canary split, a shadow, a rollback.",
      parameters: [name],
      requestBody: {
        content: {
          "application/json": {
            schema: { type: "object", properties: { variants: { type: "array", items: variant } } },
          },
        },
      },
      responses: { "200": json(deployment, "Updated"), "400": error, "404": error },
    },
  },
  "/metrics": {
    get: {
      summary:
        "Prometheus text: requests, errors by code, latency histograms per deployment and variant, feature-lookup latency, missing features, prediction-log queue depth and drops.",
      responses: { "200": { description: "text/plain; version=0.0.4" } },
    },
  },
} as const;
