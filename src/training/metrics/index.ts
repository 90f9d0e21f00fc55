// Evaluation metrics over typed arrays, checked against scikit-learn 1.2 (see fixtures/).
export { accuracy } from "./accuracy.ts";
export { averagePrecision } from "./average-precision.ts";
export {
  type BinaryConfusion,
  binaryConfusion,
  type ThresholdOptions,
} from "./binary-confusion.ts";
export { brierScore } from "./brier-score.ts";
export { type CalibrationOptions, expectedCalibrationError } from "./expected-calibration-error.ts";
export { f1 } from "./f1.ts";
export { LOG_LOSS_EPS, logLoss } from "./log-loss.ts";
export { mae } from "./mae.ts";
export { mapAtK } from "./map-at-k.ts";
export {
  METRIC_NAMES,
  METRICS,
  type Metric,
  type MetricDefinition,
  type MetricInput,
  type MetricName,
  resolveMetric,
} from "./metric-registry.ts";
export { multiclassAccuracy } from "./multiclass-accuracy.ts";
export { multiclassLogLoss } from "./multiclass-log-loss.ts";
export { ndcgAtK } from "./ndcg-at-k.ts";
export { precision } from "./precision.ts";
export { r2 } from "./r2.ts";
export { recall } from "./recall.ts";
export { rmse } from "./rmse.ts";
export { rocAuc } from "./roc-auc.ts";
