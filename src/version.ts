import { readFileSync } from "node:fs";

/** plinth's version, from its package.json (one directory above src/ and dist/). */
export const PLINTH_VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;
