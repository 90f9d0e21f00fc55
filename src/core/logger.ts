import { destination, type Logger, pino, stdTimeFunctions } from "pino";

export type { Logger };

/** Log levels plinth accepts in config and `PLINTH_LOG_LEVEL`. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A structured (JSON lines) logger. Every line carries `component`, so one stream can be
 * filtered per module.
 *
 * @example
 * const log = createLogger({ level: "info" }).child({ component: "tracking" });
 * log.info({ runId }, "run created");
 */
export function createLogger(options: {
  level: LogLevel;
  destination?: NodeJS.WritableStream;
}): Logger {
  return pino(
    { level: options.level, base: { service: "plinth" }, timestamp: stdTimeFunctions.isoTime },
    options.destination ?? destination({ fd: 2, sync: false }),
  );
}
