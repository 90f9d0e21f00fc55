import type { PredictionRecord } from "../prediction-log/prediction-record.ts";
import type { DeploymentSnapshot, LoadedVariant } from "./deployment-snapshot.ts";

/** Row `r` of a variant's `numRows × outputs` predictions, by output name. */
export function outputsOf(
  variant: LoadedVariant,
  out: Float64Array,
  r: number,
): Record<string, number> {
  const names = variant.model.manifest.outputs;
  const K = names.length;
  const outputs: Record<string, number> = {};
  for (let k = 0; k < K; k++) outputs[names[k] as string] = out[r * K + k] as number;
  return outputs;
}

/**
 * The prediction log's record of row `r`: the entity keys the model's features use, the
 * exact vector the model saw (`rows`, row-major) and its outputs.
 */
export function predictionRecordOf(
  snapshot: DeploymentSnapshot,
  variant: LoadedVariant,
  entities: Readonly<Record<string, unknown>>,
  requestId: string,
  rows: Float64Array,
  out: Float64Array,
  r: number,
  latencyMs: number,
): PredictionRecord {
  const keys: Record<string, string | number> = {};
  for (const key of variant.builder.entityKeys) {
    const v = entities[key.name];
    if (typeof v === "string" || typeof v === "number") keys[key.name] = v;
  }
  return {
    requestId,
    at: Date.now(),
    deployment: snapshot.deployment.name,
    variant: variant.spec.name,
    shadow: variant.spec.shadow,
    modelName: variant.model.name,
    modelVersion: variant.model.version,
    entities: keys,
    features: variant.builder.logged(rows, r),
    outputs: outputsOf(variant, out, r),
    latencyMs,
  };
}
