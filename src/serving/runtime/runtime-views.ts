import type { DeploymentStatus, ModelMetadata } from "../serving-runtime.ts";
import type { ServedDeployment } from "./create-deployment-loader.ts";
import type { DeploymentSnapshot, LoadedVariant } from "./deployment-snapshot.ts";

/** OIP model metadata of a deployment, with `variant`'s signature. */
export function modelMetadataOf(
  snapshot: DeploymentSnapshot,
  variant: LoadedVariant,
): ModelMetadata {
  const versions = [
    ...new Set([...snapshot.live, ...snapshot.shadows].map((v) => v.model.version)),
  ];
  return {
    name: snapshot.deployment.name,
    versions,
    platform: variant.model.manifest.flavour,
    inputs: variant.model.manifest.inputs.map((i) => ({
      name: i.name,
      datatype: i.type === "category" ? "BYTES" : "FP64",
      shape: [-1],
    })),
    outputs: variant.model.manifest.outputs.map((o) => ({
      name: o,
      datatype: "FP64",
      shape: [-1],
    })),
  };
}

/** What a served deployment has loaded, for `plinth deployments` and the UI. */
export function deploymentStatusOf(entry: ServedDeployment): DeploymentStatus {
  const loaded = [...(entry.snapshot?.live ?? []), ...(entry.snapshot?.shadows ?? [])];
  return {
    name: entry.name,
    ready: entry.snapshot !== undefined,
    variants: entry.deployment.variants.map((v) => ({
      name: v.name,
      model: v.model,
      ...(v.alias === undefined ? {} : { alias: v.alias }),
      version: loaded.find((l) => l.spec.name === v.name)?.model.version,
      weight: v.weight,
      shadow: v.shadow,
    })),
    ...(entry.lastError === undefined ? {} : { lastError: entry.lastError }),
  };
}
