/** A cron schedule of a registered pipeline. */
export interface PipelineSchedule {
  readonly scheduleId: string;
  readonly pipelineName: string;
  /** Five fields (minute precision), or six with seconds first, as croner reads them. */
  readonly cron: string;
  /** An IANA zone the cron fields are read in; null for UTC. */
  readonly timezone: string | null;
  /** Parameter values for each run, parsed to the declared types when it fires. */
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly createdAt: number;
}

/** One tick of a schedule that some server claimed. */
export interface ScheduleFire {
  readonly scheduleId: string;
  readonly fireTime: number;
  readonly claimedBy: string;
  readonly runId: string | null;
  readonly error: string | null;
}

/**
 * Where schedules live, and the claim that makes a tick fire once: every server holding
 * the schedules tries to claim each due tick, and only one claim of a tick succeeds.
 */
export interface ScheduleStore {
  /**
   * Adds a schedule.
   *
   * @throws PlinthError `PIPELINES_INVALID_SCHEDULE` for a cron expression or zone that does not parse or never fires.
   */
  add(input: {
    pipelineName: string;
    cron: string;
    timezone?: string | null;
    params?: Readonly<Record<string, string | number | boolean>>;
  }): Promise<PipelineSchedule>;
  /** Schedules, oldest first, optionally of one pipeline. */
  list(query?: { pipelineName?: string }): Promise<PipelineSchedule[]>;
  /** @throws PlinthError `PIPELINES_SCHEDULE_NOT_FOUND` for an unknown id. */
  remove(scheduleId: string): Promise<void>;
  /** Claims one tick for `claimant`; true for exactly one caller per schedule and tick. */
  claim(scheduleId: string, fireTime: number, claimant: string): Promise<boolean>;
  /** Records the run a claimed tick started, or why it started none. */
  recordFire(
    scheduleId: string,
    fireTime: number,
    outcome: { runId: string } | { error: string },
  ): Promise<void>;
  /** A schedule's claimed ticks, newest first. */
  fires(scheduleId: string, limit?: number): Promise<ScheduleFire[]>;
}
