/** The OpenAPI description of the label routes (`label-routes.ts`). */

const error = { $ref: "#/components/responses/Error" } as const;

export const LABEL_OPENAPI_PATHS = {
  "/api/monitoring/labels": {
    post: {
      summary:
        "Ingest delayed labels for logged predictions, by request id or by entity and event time. Idempotent: a re-sent label replaces the stored one (counted). A label for an unknown request id is stored and shows as unmatched in coverage; a NaN or infinite label refuses the whole batch, naming its row.",
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["deployment", "labels"],
              additionalProperties: false,
              properties: {
                deployment: { type: "string" },
                from: {
                  type: ["integer", "string"],
                  description:
                    "with 'to': match the batch against this log window and report the labels that match nothing",
                },
                to: {
                  type: ["integer", "string"],
                  description: "epoch ms or ISO-8601 (exclusive)",
                },
                labels: {
                  type: "array",
                  maxItems: 100_000,
                  items: {
                    type: "object",
                    required: ["label"],
                    properties: {
                      requestId: { type: "string" },
                      entities: {
                        type: "object",
                        additionalProperties: { type: ["string", "number"] },
                      },
                      at: {
                        type: "integer",
                        description: "event time of an entity label, epoch ms",
                      },
                      label: { type: "number" },
                      labelledAt: { type: "integer", description: "epoch ms (default: now)" },
                    },
                  },
                },
              },
            },
          },
        },
      },
      responses: {
        "200": {
          description: "What was stored",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  deployment: { type: "string" },
                  received: { type: "integer" },
                  inserted: { type: "integer" },
                  replaced: { type: "integer" },
                  by_request_id: { type: "integer" },
                  by_entity: { type: "integer" },
                  unmatched: { type: "integer", description: "with from/to" },
                  unmatched_sample: { type: "array", items: { type: "string" } },
                },
              },
            },
          },
        },
        "400": error,
        "413": error,
      },
    },
  },
  "/api/monitoring/labels/coverage": {
    get: {
      summary:
        "Label coverage of a deployment's logged predictions in [from, to): predictions, labelled, per variant, and labels that matched none.",
      parameters: [
        { name: "deployment", in: "query", required: true, schema: { type: "string" } },
        {
          name: "from",
          in: "query",
          required: true,
          schema: { type: "string" },
          description: "epoch ms or ISO-8601",
        },
        {
          name: "to",
          in: "query",
          required: true,
          schema: { type: "string" },
          description: "epoch ms or ISO-8601 (exclusive)",
        },
      ],
      responses: {
        "200": {
          description: "Coverage",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  deployment: { type: "string" },
                  from: { type: "integer" },
                  to: { type: "integer" },
                  predictions: { type: "integer" },
                  labelled: { type: "integer" },
                  coverage: { type: ["number", "null"] },
                  by_variant: { type: "object" },
                  unmatched: { type: "integer" },
                  unmatched_sample: { type: "array", items: { type: "string" } },
                },
              },
            },
          },
        },
        "400": error,
      },
    },
  },
} as const;
