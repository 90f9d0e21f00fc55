import { z } from "zod";
import { PlinthError } from "../../core/errors.ts";
import type { DeploymentSpec, DeploymentVariant } from "./deployment.ts";

/** Deployment names: URL- and file-safe, as they appear in `/api/deployments/{name}/predict`. */
export const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** More variants than this is a mistake, not a rollout. */
const MAX_VARIANTS = 32;

const text = (max: number) => z.string().min(1).max(max);

const variantSchema = z
  .object({
    name: text(128).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "letters, digits, '_', '.' or '-'"),
    model: text(256),
    alias: text(255)
      .regex(/^[\w-]+$/, "letters, digits, '_' or '-'")
      .optional(),
    version: z
      .string()
      .regex(/^[1-9]\d{0,9}$/, "a positive integer version, as text")
      .optional(),
    weight: z.number().finite().min(0).max(100),
    shadow: z.boolean(),
  })
  .strict();

const specSchema = z
  .object({
    name: z.string().regex(DEPLOYMENT_NAME, "1-128 letters, digits, '_', '.' or '-'"),
    variants: z.array(variantSchema).min(1).max(MAX_VARIANTS),
    stickyKey: text(256).optional(),
    threshold: z.number().finite().min(0).max(1).optional(),
    description: z.string().max(10_000).optional(),
  })
  .strict();

/** A DEPLOYMENT_INVALID error naming `field`. */
export function invalidDeployment(field: string, problem: string): PlinthError {
  return new PlinthError("DEPLOYMENT_INVALID", `Invalid deployment field '${field}': ${problem}`, {
    field,
  });
}

/**
 * Validates a deployment spec from any caller (SDK, REST body, CLI file) without touching the
 * registry: shape and types, variant names unique, exactly one of alias and version, at least
 * one live variant, live weights summing to 100, threshold in [0, 1].
 *
 * @throws PlinthError `DEPLOYMENT_INVALID` naming the first field at fault.
 */
export function parseDeploymentSpec(value: unknown): DeploymentSpec {
  const result = specSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalidDeployment(issue?.path.join(".") || "spec", issue?.message ?? "invalid");
  }
  const spec = result.data;
  return { ...spec, variants: checkVariants(spec.variants, "variants") };
}

/** Validates a variants list alone (for `setVariants`), with the same rules as a whole spec. */
export function parseDeploymentVariants(value: unknown): DeploymentVariant[] {
  const result = z.array(variantSchema).min(1).max(MAX_VARIANTS).safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join(".");
    throw invalidDeployment(path ? `variants.${path}` : "variants", issue?.message ?? "invalid");
  }
  return checkVariants(result.data, "variants");
}

function checkVariants(
  variants: readonly z.infer<typeof variantSchema>[],
  field: string,
): DeploymentVariant[] {
  const names = new Set<string>();
  let liveWeight = 0;
  let live = 0;
  const out: DeploymentVariant[] = [];
  variants.forEach((v, i) => {
    if (names.has(v.name)) {
      throw invalidDeployment(`${field}.${i}.name`, `variant name '${v.name}' appears twice`);
    }
    names.add(v.name);
    if ((v.alias === undefined) === (v.version === undefined)) {
      throw invalidDeployment(
        `${field}.${i}.alias`,
        "give exactly one of alias (followed as it moves) and version (pinned)",
      );
    }
    if (!v.shadow) {
      live++;
      liveWeight += v.weight;
    }
    out.push(
      v.alias === undefined
        ? {
            name: v.name,
            model: v.model,
            version: v.version as string,
            weight: v.weight,
            shadow: v.shadow,
          }
        : { name: v.name, model: v.model, alias: v.alias, weight: v.weight, shadow: v.shadow },
    );
  });
  if (live === 0)
    throw invalidDeployment(field, "at least one variant must be live (shadow: false)");
  // Weights are percentages; a float sum of e.g. 33.3 + 33.3 + 33.4 is allowed its rounding.
  if (Math.abs(liveWeight - 100) > 1e-9) {
    throw invalidDeployment(
      `${field}.weight`,
      `the live variants' weights sum to ${liveWeight}, not 100`,
    );
  }
  return out;
}
