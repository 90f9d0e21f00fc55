/** What a running step can use besides its inputs. */
export interface StepContext {
  /** The pipeline run's id. */
  readonly runId: string;
  /** This step's name. */
  readonly step: string;
  /** 1 on the first attempt, 2 on the first retry, and so on. */
  readonly attempt: number;
  /** The position of the item in a foreach step; `undefined` elsewhere. */
  readonly index: number | undefined;
  /**
   * Aborted when the run is cancelled or the attempt times out. Long steps should pass it
   * on (to fetch, streams) or check it: an in-process step cannot be stopped from outside.
   */
  readonly signal: AbortSignal;
  /** Records a metric on the step's tracking run. */
  logMetric(key: string, value: number, step?: number): void;
  /** Records a line in the step's log (kept with its tracking run). */
  log(message: string): void;
  /** A fresh empty directory for this attempt, removed after the run; for file outputs. */
  scratchDir(name: string): Promise<string>;
}
