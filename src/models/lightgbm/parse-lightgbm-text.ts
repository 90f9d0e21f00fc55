import { invalidPackage } from "../json-field-readers.ts";

/** One `key=value` block of a LightGBM text model: the header or one `Tree=<i>` section. */
export interface LightgbmSection {
  /** `header`, or `Tree=<i>`: the prefix of every error path raised for this section. */
  readonly name: string;
  /** 1-based line number where the section starts, for error messages. */
  readonly line: number;
  readonly fields: ReadonlyMap<string, string>;
  /** Lines without `=` (the header's `tree` and `average_output`). */
  readonly flags: ReadonlySet<string>;
}

/** A LightGBM text model split into its header and tree sections; values are still text. */
export interface LightgbmText {
  readonly header: LightgbmSection;
  readonly trees: readonly LightgbmSection[];
}

/**
 * Splits the text LightGBM writes with `save_model` / `SaveModelToString` into the header
 * and the `Tree=0`, `Tree=1`, ... sections, ignoring what follows the trees (feature
 * importances, parameters, pandas categories). Checks only the layout: the leading `tree`
 * line, consecutive tree numbers, no repeated key, and a tree count that agrees with
 * `tree_sizes` (or an `end of trees` line), so a file cut at a tree boundary is refused
 * rather than read as a smaller model. Each tree section must end with a blank line, as
 * LightGBM writes it, so a file cut inside its last line is refused too (and
 * `readLightgbmTree` requires `shrinkage`, the last field LightGBM writes).
 */
export function parseLightgbmText(text: string): LightgbmText {
  const lines = text.split(/\r?\n/);
  let at = 0;
  while (at < lines.length && (lines[at] as string).trim() === "") at++;
  if (lines[at]?.trim() !== "tree") {
    throw invalidPackage("$", "is not a LightGBM text model: its first line must be 'tree'");
  }
  const header = new SectionBuilder("header", at + 1);
  for (at++; at < lines.length && !isTreeLine(lines[at] as string); at++) {
    const line = lines[at] as string;
    if (line.trim() === "end of trees") break;
    header.add(line, at + 1);
  }
  const trees: LightgbmSection[] = [];
  let ended = false;
  while (at < lines.length && isTreeLine(lines[at] as string)) {
    const line = lines[at] as string;
    const name = line.trim();
    if (name !== `Tree=${trees.length}`) {
      throw invalidPackage(name, `(line ${at + 1}) is out of order: expected Tree=${trees.length}`);
    }
    const section = new SectionBuilder(name, at + 1);
    let blank = false;
    for (at++; at < lines.length; at++) {
      const next = lines[at] as string;
      if (next.trim() === "") {
        blank = true;
        continue;
      }
      if (isTreeLine(next) || !next.includes("=")) break;
      if (blank) {
        throw invalidPackage(name, `(line ${at + 1}) has a field after the blank line ending it`);
      }
      section.add(next, at + 1);
    }
    if (!blank) {
      throw invalidPackage(name, "is truncated: a tree section must end with a blank line");
    }
    trees.push(section.finish());
    if (at < lines.length && (lines[at] as string).trim() === "end of trees") ended = true;
  }
  const headerSection = header.finish();
  if (trees.length === 0) throw invalidPackage("$", "has no trees");
  const sizes = headerSection.fields.get("tree_sizes");
  if (sizes !== undefined) {
    const claimed = sizes.trim() === "" ? 0 : sizes.trim().split(/\s+/).length;
    if (claimed !== trees.length) {
      throw invalidPackage(
        "header.tree_sizes",
        `lists ${claimed} trees but the file has ${trees.length}: it is truncated or edited`,
      );
    }
  } else if (!ended) {
    throw invalidPackage(
      "$",
      "has neither 'tree_sizes' nor an 'end of trees' line, so it may be truncated",
    );
  }
  return { header: headerSection, trees };
}

function isTreeLine(line: string): boolean {
  return line.startsWith("Tree=");
}

class SectionBuilder {
  readonly #name: string;
  readonly #line: number;
  readonly #fields = new Map<string, string>();
  readonly #flags = new Set<string>();

  constructor(name: string, line: number) {
    this.#name = name;
    this.#line = line;
  }

  add(line: string, lineNumber: number): void {
    const trimmed = line.trim();
    if (trimmed === "") return;
    const eq = trimmed.indexOf("=");
    if (eq < 0) {
      this.#flags.add(trimmed);
      return;
    }
    const key = trimmed.slice(0, eq);
    if (this.#fields.has(key)) {
      throw invalidPackage(`${this.#name}.${key}`, `(line ${lineNumber}) is given twice`);
    }
    this.#fields.set(key, trimmed.slice(eq + 1));
  }

  finish(): LightgbmSection {
    return { name: this.#name, line: this.#line, fields: this.#fields, flags: this.#flags };
  }
}
