import { PlinthError } from "../../core/errors.ts";
import type { Deployment, DeploymentVariant } from "../../serving/deployments/deployment.ts";

/** The live variant serving as champion: the one named `champion`, else the heaviest live one. */
export function championVariant(deployment: Deployment): DeploymentVariant {
  const live = deployment.variants.filter((v) => !v.shadow);
  const named = live.find((v) => v.name === "champion");
  const heaviest = [...live].sort((a, b) => b.weight - a.weight)[0];
  const champion = named ?? heaviest;
  if (champion === undefined) {
    throw new PlinthError(
      "DEPLOYMENT_INVALID",
      `Deployment '${deployment.name}' has no live variant to take the champion's place in a canary`,
      { field: "variants" },
    );
  }
  return champion;
}

/**
 * The canary split: the champion variant at 100 - weight, a `challenger` variant following
 * the `challenger` alias of `model` at weight; shadow variants are kept, other live ones
 * (an earlier challenger included) are replaced.
 *
 * @example
 * canaryVariants(deployment, "fraud", 10); // champion 90, challenger 10
 */
export function canaryVariants(
  deployment: Deployment,
  model: string,
  weight: number,
  alias: string,
): DeploymentVariant[] {
  const champion = championVariant(deployment);
  const shadows = deployment.variants.filter((v) => v.shadow && v.name !== "challenger");
  return [
    { ...champion, weight: 100 - weight },
    { name: "challenger", model, alias, weight, shadow: false },
    ...shadows,
  ];
}
