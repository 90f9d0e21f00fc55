import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** The pipelines API as a URL, for test modules to import (they live in a temp dir). */
export const PIPELINES_API = pathToFileURL(join(import.meta.dirname, "../index.ts")).href;

/**
 * A temp directory for pipeline modules, ESM like a user's project (without
 * `"type": "module"` tsx would compile them as CommonJS); `write` adds a module whose body
 * may use `definePipeline`, `param`, `pathOutput`, `ref` and `step`.
 */
export function createPipelineModuleDir(prefix: string): {
  dir: string;
  write(name: string, body: string): string;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
  return {
    dir,
    write(name, body) {
      const file = join(dir, name);
      writeFileSync(
        file,
        `import { definePipeline, param, pathOutput, ref, step } from ${JSON.stringify(PIPELINES_API)};\n${body}`,
      );
      return file;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
