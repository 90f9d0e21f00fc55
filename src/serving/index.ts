/** The model server's library core: deployments, the serving runtime and its metrics. */
export { createMetadataDeploymentStore } from "./deployments/create-metadata-deployment-store.ts";
export type { Deployment, DeploymentSpec, DeploymentVariant } from "./deployments/deployment.ts";
export type { DeploymentStore } from "./deployments/deployment-store.ts";
export {
  DEPLOYMENT_NAME,
  parseDeploymentSpec,
  parseDeploymentVariants,
} from "./deployments/parse-deployment-spec.ts";
export { createServingMetrics } from "./metrics/create-serving-metrics.ts";
export {
  type DeploymentMetrics,
  LATENCY_BUCKETS_MS,
  type ServingMetrics,
  type VariantMetrics,
} from "./metrics/serving-metrics.ts";
export { createServingRuntime } from "./runtime/create-serving-runtime.ts";
export type {
  BatchPrediction,
  DeploymentStatus,
  FeatureContribution,
  InferResponse,
  InferTensor,
  ModelMetadata,
  PredictionOutputs,
  PredictOptions,
  RowPrediction,
  ServerMetadata,
  ServingRuntime,
  ServingRuntimeOptions,
  ServingRuntimeSettings,
  TensorMetadata,
  VariantStatus,
} from "./serving-runtime.ts";
