import type { ParseArgsConfig } from "node:util";
import { resolveConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { openPlatform, type Platform } from "../platform.ts";
import type { CommandIO } from "./output.ts";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;
export type OptionValues = Record<string, string | boolean | undefined>;

/** One `plinth <noun>` command. */
export interface Command {
  /** One line for `plinth --help`. */
  summary: string;
  /** The usage text for `plinth <noun> --help`. */
  usage: string;
  /** Options besides the common --home, --json and --help. */
  options: OptionSpec;
  /** Runs the command and resolves to its exit code. */
  run(args: { positionals: string[]; values: OptionValues; io: CommandIO }): Promise<number>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: OptionSpec = {
  home: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
};

/** Opens the platform the flags and environment name, runs `work`, and closes it. */
export async function withPlatform<T>(
  values: OptionValues,
  work: (platform: Platform) => Promise<T>,
): Promise<T> {
  const config = resolveConfig({
    overrides: typeof values.home === "string" ? { home: values.home } : {},
  });
  const platform = await openPlatform(config, { logger: createLogger({ level: "silent" }) });
  try {
    return await work(platform);
  } finally {
    await platform.close();
  }
}
