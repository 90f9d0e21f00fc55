import { PlinthError } from "../../core/errors.ts";

const TOKENS = ["NaN", "Infinity", "-Infinity"] as const;

/**
 * Parses the text of an XGBoost JSON model. XGBoost writes non-finite floats as the bare
 * tokens `NaN`, `Infinity` and `-Infinity` (a categorical node's `split_conditions` entry is
 * `NaN`), which `JSON.parse` rejects; outside string literals they become the strings
 * `"NaN"`, `"Infinity"` and `"-Infinity"`, which the importer's number readers accept.
 */
export function parseXgboostJsonText(text: string): unknown {
  const patched = text.includes("NaN") || text.includes("Infinity") ? quoteNonFinite(text) : text;
  try {
    return JSON.parse(patched);
  } catch (cause) {
    throw new PlinthError(
      "MODELS_INVALID_PACKAGE",
      `XGBoost model is not valid JSON: ${(cause as Error).message}`,
      { field: "$", cause },
    );
  }
}

function quoteNonFinite(text: string): string {
  const parts: string[] = [];
  let copiedTo = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c !== 0x4e && c !== 0x49 && c !== 0x2d) continue; // 'N', 'I', '-'
    const token = TOKENS.find((t) => text.startsWith(t, i));
    if (token === undefined) continue;
    parts.push(text.slice(copiedTo, i), `"${token}"`);
    i += token.length - 1;
    copiedTo = i + 1;
  }
  parts.push(text.slice(copiedTo));
  return parts.join("");
}
