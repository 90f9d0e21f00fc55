const query = (
  name: string,
  description: string,
  schema: Record<string, unknown> = { type: "string" },
) => ({
  name,
  in: "query",
  required: false,
  description,
  schema,
});

/** OpenAPI paths of the monitoring loop routes. */
export const MONITORING_OPENAPI_PATHS = {
  "/api/monitoring/alerts": {
    get: {
      summary:
        "Alert history (fired, resolved, no_data and error transitions, newest first) and every rule's current state.",
      parameters: [
        query("deployment", "only this deployment's rules"),
        query("rule", "only this rule"),
        query("limit", "most history entries (default 100)", {
          type: "integer",
          minimum: 1,
          maximum: 10_000,
        }),
      ],
      responses: {
        "200": {
          description: "History and states",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  alerts: {
                    type: "array",
                    items: {
                      type: "object",
                      properties: {
                        event_id: { type: "string" },
                        rule: { type: "string" },
                        deployment: { type: "string" },
                        metric: { type: "string" },
                        kind: { type: "string", enum: ["fired", "resolved", "no_data", "error"] },
                        window_start: { type: "integer", description: "epoch milliseconds" },
                        window_end: {
                          type: "integer",
                          description: "epoch milliseconds, exclusive",
                        },
                        value: { type: ["number", "null"] },
                        op: { type: "string" },
                        threshold: { type: "number" },
                        consecutive_windows: { type: "integer" },
                        message: { type: "string" },
                        created_at: { type: "integer" },
                      },
                    },
                  },
                  states: {
                    type: "array",
                    items: {
                      type: "object",
                      properties: {
                        rule: { type: "string" },
                        deployment: { type: "string" },
                        metric: { type: "string" },
                        state: {
                          type: "string",
                          enum: ["ok", "pending", "firing", "no_data", "error"],
                        },
                        consecutive_windows: { type: "integer" },
                        firing_since: { type: ["integer", "null"] },
                        last_window_end: { type: "integer" },
                        last_value: { type: ["number", "null"] },
                        message: { type: ["string", "null"] },
                        updated_at: { type: "integer" },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        "400": { $ref: "#/components/responses/Error" },
      },
    },
  },
  "/api/monitoring/decisions": {
    get: {
      summary:
        "Retraining decisions, newest first: what triggered them (evidence), the pipeline run, the version and its gate report, and the split applied or why not.",
      parameters: [
        query("deployment", "only this deployment's policies"),
        query("limit", "most decisions (default 100)", {
          type: "integer",
          minimum: 1,
          maximum: 10_000,
        }),
      ],
      responses: {
        "200": {
          description: "Decisions",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  decisions: {
                    type: "array",
                    items: {
                      type: "object",
                      properties: {
                        decision_id: { type: "string" },
                        policy: { type: "string" },
                        deployment: { type: "string" },
                        window_end: { type: "integer" },
                        trigger: { type: "string", enum: ["drift_share", "metric", "cron"] },
                        triggered: { type: "boolean" },
                        outcome: { type: "string" },
                        evidence: { type: "object" },
                        pipeline_run_id: { type: ["string", "null"] },
                        model_name: { type: ["string", "null"] },
                        model_version: { type: ["string", "null"] },
                        gates: { description: "the training pipeline's gate report" },
                        variants: { type: ["array", "null"] },
                        reason: { type: "string" },
                        created_at: { type: "integer" },
                        updated_at: { type: "integer" },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        "400": { $ref: "#/components/responses/Error" },
      },
    },
  },
} as const;
