/**
 * Imports a user's module (a features or pipeline file) by file URL. A TypeScript file that
 * this process cannot load itself (the compiled CLI runs without a loader) goes through
 * tsx, a plinth dependency, instead; any other failure is the caller's to report.
 *
 * @example
 * const exports = await importUserModule(pathToFileURL("features.ts").href);
 */
export async function importUserModule(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: unknown })?.code !== "ERR_UNKNOWN_FILE_EXTENSION") throw error;
    if (!/\.[mc]?ts$/.test(url)) throw error;
    const { tsImport } = await import("tsx/esm/api");
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
}
