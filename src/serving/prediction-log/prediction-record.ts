/** A value of the feature vector a prediction used: numbers for numeric features, text for categories. */
export type LoggedFeatureValue = number | string | null;

/**
 * One prediction, as serving logs it and monitoring reads it back. The feature vector is the
 * exact one the model saw (after online lookup, on-demand transforms and defaults), so
 * monitoring profiles, drift and skew checks work on what was served, not on a reconstruction.
 */
export interface PredictionRecord {
  /** The request id returned to the caller; labels are joined on it. One per row of a batch. */
  readonly requestId: string;
  /** When the prediction was made, epoch milliseconds. */
  readonly at: number;
  /** The deployment that served it. */
  readonly deployment: string;
  /** The traffic variant (`champion`, `challenger`, ...). */
  readonly variant: string;
  /** True for a shadow variant: scored and logged, never returned to the caller. */
  readonly shadow: boolean;
  /** The registered model and version that predicted. */
  readonly modelName: string;
  readonly modelVersion: string;
  /** The entity join keys the caller sent (`{ user_id: 42 }`). */
  readonly entities: Readonly<Record<string, string | number>>;
  /** The feature vector, by feature name in the model signature's order. */
  readonly features: Readonly<Record<string, LoggedFeatureValue>>;
  /** The model outputs by name (`score`, `probabilities`, `prediction`, ...). */
  readonly outputs: Readonly<Record<string, number | readonly number[]>>;
  /** Time spent serving the request, milliseconds (lookup + predict). */
  readonly latencyMs: number;
}
