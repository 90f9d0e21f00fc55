import { type Kysely, sql } from "kysely";

/**
 * Keeps PostgreSQL's planner statistics and visibility map current for the tables run
 * search reads, for databases where autovacuum is off or has not caught up with a bulk load.
 *
 * Why the application cares: a table never analyzed has no statistics, and PostgreSQL then
 * guesses that `experiment_id = $1 AND lifecycle_stage = 'active'` keeps one run in
 * 40,000. Believing the outer side is a single row, it nests a full index scan of
 * `params`/`tags` inside it, and a tag-filtered search of 10,000 runs took 5 s instead of
 * 5 ms. No spelling of the query is safe from that guess; statistics are. Vacuuming also
 * marks pages all-visible, which lets the covering `(key, value, …, run_id)` indexes answer
 * a filter without reading the table.
 *
 * The thresholds are autovacuum's defaults, so where autovacuum runs this finds nothing to do.
 */
export interface StatisticsKeeper {
  /**
   * Analyzes, now, each table that has rows but has never been analyzed (bounded work:
   * ANALYZE reads a fixed-size sample); the store awaits this before serving queries.
   * Never rejects.
   */
  analyzeMissing(): Promise<void>;
  /** Analyzes or vacuums each table past autovacuum's thresholds; never rejects. */
  refresh(): Promise<void>;
  /** Stops the periodic refresh and waits for one in progress. */
  stop(): Promise<void>;
}

export interface StatisticsKeeperOptions {
  /** The schema holding `tables`. */
  readonly schema: string;
  /** The tables to keep. */
  readonly tables: readonly string[];
  /** How often to compare the tables against the thresholds; 0 checks only when asked. */
  readonly intervalMs: number;
}

/** autovacuum_analyze_threshold and autovacuum_analyze_scale_factor. */
const ANALYZE_BASE = 50;
const ANALYZE_SCALE = 0.1;
/** autovacuum_vacuum_insert_threshold and autovacuum_vacuum_insert_scale_factor. */
const VACUUM_INSERT_BASE = 1000;
const VACUUM_INSERT_SCALE = 0.2;
/** autovacuum_vacuum_threshold and autovacuum_vacuum_scale_factor (latest_metrics is upserted). */
const VACUUM_DEAD_BASE = 50;
const VACUUM_DEAD_SCALE = 0.2;

interface TableActivity {
  relname: string;
  live: number;
  modified: number;
  inserted: number;
  dead: number;
  analyzed: boolean;
}

/** A keeper for `options.tables`; `refresh` runs every `intervalMs` until `stop`. */
export function createStatisticsKeeper(
  // biome-ignore lint/suspicious/noExplicitAny: reads the catalog, not the typed schema
  db: Kysely<any>,
  options: StatisticsKeeperOptions,
): StatisticsKeeper {
  const frozen = Object.freeze({ ...options, tables: [...options.tables] });
  let running: Promise<void> | undefined;
  let stopped = false;

  const activity = async (): Promise<TableActivity[]> => {
    const result = await sql<TableActivity>`select relname,
        n_live_tup::float8 as live,
        n_mod_since_analyze::float8 as modified,
        n_ins_since_vacuum::float8 as inserted,
        n_dead_tup::float8 as dead,
        (last_analyze is not null or last_autoanalyze is not null) as analyzed
      from pg_stat_user_tables
      where schemaname = ${frozen.schema} and relname = any(${frozen.tables}::text[])`.execute(db);
    return result.rows;
  };
  const qualified = (tables: TableActivity[]) =>
    sql.join(tables.map((t) => sql.table(`${frozen.schema}.${t.relname}`)));

  const refreshOnce = async () => {
    const tables = await activity();
    const toAnalyze = tables.filter((t) => t.modified > ANALYZE_BASE + ANALYZE_SCALE * t.live);
    const toVacuum = tables.filter(
      (t) =>
        t.inserted > VACUUM_INSERT_BASE + VACUUM_INSERT_SCALE * t.live ||
        t.dead > VACUUM_DEAD_BASE + VACUUM_DEAD_SCALE * t.live,
    );
    // SKIP_LOCKED: another plinth server already at it is as good as doing it here.
    if (toAnalyze.length > 0) {
      await sql`analyze (skip_locked) ${qualified(toAnalyze)}`.execute(db);
    }
    if (toVacuum.length > 0) {
      await sql`vacuum (skip_locked) ${qualified(toVacuum)}`.execute(db);
    }
  };

  const refresh = (): Promise<void> => {
    running ??= refreshOnce()
      // Best effort: a failed check (a dropped connection, a role that may not read the
      // catalog) leaves the planner where it was, and the next check tries again.
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const timer =
    frozen.intervalMs > 0
      ? setInterval(() => {
          if (!stopped) void refresh();
        }, frozen.intervalMs)
      : undefined;
  timer?.unref();

  return {
    async analyzeMissing() {
      try {
        const tables = (await activity()).filter((t) => !t.analyzed && t.live + t.inserted > 0);
        if (tables.length > 0) await sql`analyze ${qualified(tables)}`.execute(db);
      } catch {
        // As for refresh: without statistics searches are slower, not wrong.
      }
    },
    refresh,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      await running;
    },
  };
}
