import { z } from "zod";

/** Metrics an alert rule or retraining policy can watch, besides the per-feature ones. */
export const WINDOW_METRICS = [
  "drift_share",
  "prediction_drift",
  "prediction_mean",
  "prediction_count",
  "auc",
  "logloss",
  "rmse",
  "estimated_auc",
  "label_coverage",
] as const;

/** Per-feature metrics, written `<prefix>:<feature>`. */
export const FEATURE_METRIC_PREFIXES = ["feature_drift", "missing_rate"] as const;

/** Comparison operators of a rule. */
export const ALERT_OPS = [">", ">=", "<", "<="] as const;
export type AlertOp = (typeof ALERT_OPS)[number];

/**
 * One alert rule: fires when `metric op threshold` holds in `for` consecutive windows of
 * length `window`, and resolves when a window clears.
 */
export interface AlertRuleConfig {
  readonly name: string;
  readonly deployment: string;
  readonly metric: string;
  /** Window length, milliseconds (configured as "15m", "1h", "1d"). */
  readonly windowMs: number;
  readonly op: AlertOp;
  readonly threshold: number;
  readonly for: number;
  readonly webhook: string | undefined;
}

/** What makes a retraining policy trigger. */
export type RetrainingTrigger =
  | { readonly kind: "drift_share"; readonly atLeast: number; readonly windowMs: number }
  | {
      readonly kind: "metric";
      readonly metric: string;
      readonly below: number | undefined;
      readonly above: number | undefined;
      readonly windowMs: number;
    }
  | { readonly kind: "cron"; readonly cron: string; readonly timezone: string | undefined };

/** A retraining policy: when to run the training pipeline for a deployment, and the canary to apply. */
export interface RetrainingPolicyConfig {
  readonly name: string;
  readonly deployment: string;
  readonly when: RetrainingTrigger;
  /** Parameters of the built-in training pipeline (strings, JSON for gates and trainer_params). */
  readonly pipeline: Readonly<Record<string, string | number>>;
  /** Share of live traffic the challenger gets, 1-99. */
  readonly canaryWeight: number;
  /** No new retraining for this long after one was triggered, milliseconds. */
  readonly cooldownMs: number;
}

/** Webhook delivery: attempts, the backoff before the second one (doubled each time), and the per-attempt timeout. */
export interface WebhookDeliveryConfig {
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly timeoutMs: number;
}

/** Monitoring's closed loop: alert rules and retraining policies, evaluated every `intervalMs` by the server. */
export interface MonitoringConfig {
  readonly intervalMs: number;
  readonly alerts: readonly AlertRuleConfig[];
  readonly retraining: readonly RetrainingPolicyConfig[];
  readonly webhook: WebhookDeliveryConfig;
}

const DURATION = /^([1-9][0-9]{0,6})(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const FEATURE = /^[A-Za-z_][A-Za-z0-9_]{0,199}$/;

/** A window such as "15m", "1h" or "1d" in milliseconds; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (m === null) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms <= 366 * UNIT_MS.d ? ms : undefined;
}

/** True for a metric name a rule may use: one of WINDOW_METRICS or `feature_drift:<f>` / `missing_rate:<f>`. */
export function isWindowMetric(metric: string): boolean {
  if ((WINDOW_METRICS as readonly string[]).includes(metric)) return true;
  const colon = metric.indexOf(":");
  if (colon < 0) return false;
  const prefix = metric.slice(0, colon);
  return (
    (FEATURE_METRIC_PREFIXES as readonly string[]).includes(prefix) &&
    FEATURE.test(metric.slice(colon + 1))
  );
}

const name = z.string().regex(NAME, "must be 1-100 letters, digits, '_', '.' or '-'");
const duration = z
  .string()
  .refine(
    (s) => parseDuration(s) !== undefined,
    "must be a duration such as '15m', '1h' or '1d' (at most 366d)",
  )
  .transform((s) => parseDuration(s) as number);
const metric = z
  .string()
  .max(256)
  .refine(
    isWindowMetric,
    `must be one of ${WINDOW_METRICS.join(", ")}, or feature_drift:<feature> / missing_rate:<feature>`,
  );
const finite = z.number().finite();
const webhookUrl = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      return ["http:", "https:"].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  }, "must be an http:// or https:// URL");
const jsonParam = z
  .union([z.string().max(100_000), z.record(z.unknown())])
  .transform((v) => (typeof v === "string" ? v : JSON.stringify(v)));

const alertSchema = z
  .object({
    name,
    deployment: name,
    metric,
    window: duration,
    op: z.enum(ALERT_OPS),
    threshold: finite,
    for: z.number().int().min(1).max(1000).default(1),
    webhook: webhookUrl.optional(),
  })
  .strict()
  .transform(
    (a): AlertRuleConfig => ({
      name: a.name,
      deployment: a.deployment,
      metric: a.metric,
      windowMs: a.window,
      op: a.op,
      threshold: a.threshold,
      for: a.for,
      webhook: a.webhook,
    }),
  );

const whenSchema = z.union([
  z
    .object({ drift_share: z.number().min(0).max(1), window: duration.default("1d") })
    .strict()
    .transform(
      (w): RetrainingTrigger => ({
        kind: "drift_share",
        atLeast: w.drift_share,
        windowMs: w.window,
      }),
    ),
  z
    .object({
      metric,
      below: finite.optional(),
      above: finite.optional(),
      window: duration.default("1d"),
    })
    .strict()
    .refine(
      (w) => (w.below === undefined) !== (w.above === undefined),
      "needs exactly one of 'below' and 'above'",
    )
    .transform(
      (w): RetrainingTrigger => ({
        kind: "metric",
        metric: w.metric,
        below: w.below,
        above: w.above,
        windowMs: w.window,
      }),
    ),
  z
    .object({ cron: z.string().min(1).max(200), timezone: z.string().min(1).max(100).optional() })
    .strict()
    .transform((w): RetrainingTrigger => ({ kind: "cron", cron: w.cron, timezone: w.timezone })),
]);

const pipelineSchema = z
  .object({
    feature_service: z.string().min(1).max(256),
    entities: z.string().min(1).max(4096),
    label: z.string().min(1).max(256),
    model_name: name.optional(),
    features: z.string().min(1).max(4096).optional(),
    algorithm: z.enum(["gbdt", "linear"]).optional(),
    trainer_params: jsonParam.optional(),
    gates: jsonParam.optional(),
    holdout_fraction: z.number().gt(0).lt(1).optional(),
    timestamp_column: z.string().min(1).max(256).optional(),
  })
  .strict();

const retrainingSchema = z
  .object({
    name: name.optional(),
    deployment: name,
    when: whenSchema,
    pipeline: pipelineSchema,
    canaryWeight: z.number().int().min(1).max(99).default(10),
    cooldown: duration.default("1d"),
  })
  .strict();

/** The `monitoring` section of config.json. */
export const monitoringConfigSchema = z
  .object({
    intervalSeconds: z.number().int().min(1).max(86_400).default(60),
    alerts: z
      .array(alertSchema)
      .max(1000)
      .default([])
      .superRefine((rules, ctx) => {
        const seen = new Set<string>();
        rules.forEach((r, i) => {
          if (seen.has(r.name)) {
            ctx.addIssue({
              code: "custom",
              path: [i, "name"],
              message: `repeats the rule name '${r.name}'`,
            });
          }
          seen.add(r.name);
        });
      }),
    retraining: z
      .array(retrainingSchema)
      .max(100)
      .default([])
      .superRefine((policies, ctx) => {
        const seen = new Set<string>();
        policies.forEach((p, i) => {
          if (p.name === undefined) return;
          if (seen.has(p.name)) {
            ctx.addIssue({
              code: "custom",
              path: [i, "name"],
              message: `repeats the policy name '${p.name}'`,
            });
          }
          seen.add(p.name);
        });
      }),
    webhook: z
      .object({
        maxAttempts: z.number().int().min(1).max(20).default(5),
        initialBackoffMs: z.number().int().min(1).max(600_000).default(1000),
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
      })
      .strict()
      .default({}),
  })
  .strict();

/** The resolved monitoring configuration of a parsed `monitoring` section (or none). */
export function resolveMonitoringConfig(
  section: z.infer<typeof monitoringConfigSchema> | undefined,
): MonitoringConfig {
  const s = section ?? monitoringConfigSchema.parse({});
  const names = new Set<string>();
  const retraining = s.retraining.map((p, i): RetrainingPolicyConfig => {
    // Unnamed policies are numbered in file order, so their decisions keep one name.
    let policyName = p.name ?? `${p.deployment}-retraining-${i + 1}`;
    while (names.has(policyName)) policyName = `${policyName}-${i + 1}`;
    names.add(policyName);
    const params: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(p.pipeline)) if (v !== undefined) params[k] = v;
    return {
      name: policyName,
      deployment: p.deployment,
      when: p.when,
      pipeline: params,
      canaryWeight: p.canaryWeight,
      cooldownMs: p.cooldown,
    };
  });
  return {
    intervalMs: s.intervalSeconds * 1000,
    alerts: s.alerts,
    retraining,
    webhook: s.webhook,
  };
}
