/** Tracking's domain objects, as the SDK and every face see them. Times are epoch milliseconds. */

export type LifecycleStage = "active" | "deleted";
export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";
export const RUN_STATUSES: readonly RunStatus[] = [
  "RUNNING",
  "SCHEDULED",
  "FINISHED",
  "FAILED",
  "KILLED",
];
/** Which runs or experiments a search sees, by lifecycle stage. */
export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

export interface KeyValue {
  key: string;
  value: string;
}

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  tags: KeyValue[];
}

export interface Metric {
  key: string;
  /** NaN and ±Infinity are legal metric values. */
  value: number;
  timestamp: number;
  step: number;
}

export interface RunInfo {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | undefined;
  artifactUri: string;
  lifecycleStage: LifecycleStage;
}

export interface Run {
  info: RunInfo;
  data: {
    /** The latest value of each metric: greatest (step, timestamp, value). */
    metrics: Metric[];
    params: KeyValue[];
    tags: KeyValue[];
  };
}

/** One page of a search, and the token for the next page when there is one. */
export interface Page<T> {
  items: T[];
  nextPageToken: string | undefined;
}

/** The MLflow tag that mirrors a run's name. */
export const RUN_NAME_TAG = "mlflow.runName";
