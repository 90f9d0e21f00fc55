/** The prediction log: what serving appends to and monitoring reads windows from. */
export { createPredictionLog, type PredictionLogOptions } from "./create-prediction-log.ts";
export {
  createPredictionLogReader,
  type PredictionLogSegmentReader,
  readSegment,
  type SegmentInfo,
} from "./create-prediction-log-reader.ts";
export type { PredictionLog, PredictionLogStats } from "./prediction-log.ts";
export type { PredictionLogReader, PredictionQuery } from "./prediction-log-reader.ts";
export type { LoggedFeatureValue, PredictionRecord } from "./prediction-record.ts";
