import { PlinthError } from "../core/errors.ts";

/**
 * MLflow's search grammar (`mlflow/utils/search_utils.py`, 2.12): a filter is comparisons
 * joined by AND, each `key op value`; an order_by clause is `key [ASC|DESC]`. MLflow feeds
 * both to sqlparse; this is a hand-written single-pass scanner instead, so every error can
 * name the offending character position and no input takes more than linear time.
 */

/** The namespace a filter or order_by key lives in. */
export type FilterEntity = "metric" | "param" | "tag" | "attribute";

/** The operators that compare numbers (and, with = and !=, strings). */
export type ComparisonSymbol = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** The list operators, which MLflow allows only on `run_id`. */
export type ListOp = "IN" | "NOT IN";

/** A comparison operator, upper-cased. */
export type FilterOp = ComparisonSymbol | "LIKE" | "ILIKE" | ListOp | "IS NULL" | "IS NOT NULL";

/** One `key op value` term of a filter; a filter is the AND of its terms. */
export interface FilterComparison {
  /** The namespace of `key`. */
  entity: FilterEntity;
  /** The key, unquoted; for attributes, the canonical name with aliases resolved. */
  key: string;
  /** The operator, upper-cased. */
  op: FilterOp;
  /**
   * A number for metrics and numeric attributes, a string for params, tags and string
   * attributes, a non-empty list for IN / NOT IN. (`null` would go with IS NULL, which
   * MLflow 2.12 does not accept, so the parser never produces it.)
   */
  value: string | number | string[] | null;
}

/** The value type of an attribute. */
export type AttributeType = "string" | "number";

/**
 * What a search context accepts: run search accepts metrics, params, tags and run
 * attributes; model-version search accepts tags and name, run_id, source_path,
 * version_number; registered-model search accepts name and tags; experiment search accepts
 * name, creation_time, last_update_time and tags.
 */
export interface FilterGrammar {
  /** The entities a filter may name. */
  entities: ReadonlySet<FilterEntity>;
  /** Attribute name (after alias resolution) → value type; any other attribute is an error. */
  attributes: Readonly<Record<string, AttributeType>>;
  /** Alias → canonical attribute name, e.g. `created` → `start_time`; case-sensitive. */
  attributeAliases?: Readonly<Record<string, string>>;
  /** Whether a key without a prefix (`name = 'm'`) is read as an attribute. */
  bareIdentifiersAreAttributes: boolean;
  /** Prefix before the first dot → entity; case-sensitive. Default: the run-search prefixes. */
  prefixes?: Readonly<Record<string, FilterEntity>>;
  /** String attributes that take a parenthesised list, and with which operators. */
  listOperators?: Readonly<Record<string, readonly ListOp[]>>;
  /** What order_by accepts, where that differs from what the filter accepts. */
  orderBy?: {
    readonly entities: ReadonlySet<FilterEntity>;
    readonly attributes: Readonly<Record<string, AttributeType>>;
  };
}

/** One order_by clause. */
export interface OrderByClause {
  /** The namespace of `key`. */
  entity: FilterEntity;
  /** The key, unquoted; for attributes, the canonical name. */
  key: string;
  /** True unless the clause ends in DESC. */
  ascending: boolean;
}

/** Longer filters are refused before scanning. */
export const MAX_FILTER_LENGTH = 10_000;
/** More comparisons (or order_by clauses) than this are refused. */
export const MAX_FILTER_CLAUSES = 100;

// The first prefix of each entity is the one error messages suggest.
const RUN_PREFIXES = prefixTable({
  metric: ["metrics", "metric"],
  param: ["params", "param", "parameters", "parameter"],
  tag: ["tags", "tag"],
  attribute: ["attributes", "attribute", "attr", "run"],
});

// SearchExperimentsUtils, SearchModelUtils and SearchModelVersionUtils accept only these.
const REGISTRY_PREFIXES = prefixTable({ tag: ["tags", "tag"], attribute: ["attribute"] });

function prefixTable(groups: Partial<Record<FilterEntity, string[]>>) {
  const entries = Object.entries(groups).flatMap(([entity, names]) =>
    names.map((name) => [name, entity as FilterEntity] as const),
  );
  return Object.freeze(Object.fromEntries(entries)) as Readonly<Record<string, FilterEntity>>;
}

/**
 * Run search (`SearchUtils`).
 *
 * @example
 * parseSearchFilter("metrics.auc > 0.8 and params.model = 'gbdt'", RUN_FILTER_GRAMMAR);
 */
export const RUN_FILTER_GRAMMAR: FilterGrammar = Object.freeze({
  entities: new Set<FilterEntity>(["metric", "param", "tag", "attribute"]),
  attributes: Object.freeze({
    run_id: "string",
    run_name: "string",
    status: "string",
    user_id: "string",
    artifact_uri: "string",
    start_time: "number",
    end_time: "number",
  }),
  attributeAliases: Object.freeze({
    created: "start_time",
    Created: "start_time",
    "run name": "run_name",
    "Run name": "run_name",
    "Run Name": "run_name",
  }),
  bareIdentifiersAreAttributes: true,
  prefixes: RUN_PREFIXES,
  listOperators: Object.freeze({ run_id: ["IN", "NOT IN"] as const }),
});

/** Model-version search (`SearchModelVersionUtils`): lists only as `run_id IN (...)`. */
export const MODEL_VERSION_FILTER_GRAMMAR: FilterGrammar = registryGrammar(
  { name: "string", run_id: "string", source_path: "string", version_number: "number" },
  {
    name: "string",
    version_number: "number",
    creation_timestamp: "number",
    last_updated_timestamp: "number",
  },
  { listOperators: Object.freeze({ run_id: ["IN"] as const }) },
);

/** Registered-model search (`SearchModelUtils`; `timestamp` orders as MLflow's SQL store does). */
export const REGISTERED_MODEL_FILTER_GRAMMAR: FilterGrammar = registryGrammar(
  { name: "string" },
  { name: "string", creation_timestamp: "number", last_updated_timestamp: "number" },
  { attributeAliases: Object.freeze({ timestamp: "last_updated_timestamp" }) },
);

/** Experiment search (`SearchExperimentsUtils`). */
export const EXPERIMENT_FILTER_GRAMMAR: FilterGrammar = registryGrammar(
  { name: "string", creation_time: "number", last_update_time: "number" },
  { name: "string", experiment_id: "number", creation_time: "number", last_update_time: "number" },
);

/** Registry and experiment searches: attributes and tags; order_by on attributes only. */
function registryGrammar(
  attributes: Record<string, AttributeType>,
  orderByAttributes: Record<string, AttributeType>,
  extra: Pick<FilterGrammar, "attributeAliases" | "listOperators"> = {},
): FilterGrammar {
  return Object.freeze({
    entities: new Set<FilterEntity>(["attribute", "tag"]),
    attributes: Object.freeze(attributes),
    bareIdentifiersAreAttributes: true,
    prefixes: REGISTRY_PREFIXES,
    orderBy: Object.freeze({
      entities: new Set<FilterEntity>(["attribute"]),
      attributes: Object.freeze(orderByAttributes),
    }),
    ...extra,
  });
}

const NUMERIC_OPS: readonly ComparisonSymbol[] = ["=", "!=", "<", "<=", ">", ">="];
const STRING_OPS: readonly FilterOp[] = ["=", "!=", "LIKE", "ILIKE"];
const ALL_OPS = "=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN";
const SYMBOL_CHARS = "<>=!~";

/**
 * Parses a search filter into its AND-ed comparisons; `undefined`, "" or blanks give [].
 * Throws `TRACKING_INVALID_FILTER` (field "filter") naming the position of the problem.
 *
 * @example
 * parseSearchFilter("name = 'churn'", REGISTERED_MODEL_FILTER_GRAMMAR);
 * // [{ entity: "attribute", key: "name", op: "=", value: "churn" }]
 */
export function parseSearchFilter(
  filter: string | undefined,
  grammar: FilterGrammar,
): FilterComparison[] {
  if (filter === undefined) return [];
  if (typeof filter !== "string") throw invalid("filter", "Invalid filter: it must be a string");
  if (filter.length > MAX_FILTER_LENGTH) {
    throw invalid(
      "filter",
      `Invalid filter: it is ${filter.length} characters long; the limit is ${MAX_FILTER_LENGTH}`,
    );
  }
  const s = new Scanner(filter, "filter", "filter");
  const comparisons: FilterComparison[] = [];
  s.skipSpace();
  if (s.atEnd()) return comparisons;
  for (;;) {
    if (comparisons.length === MAX_FILTER_CLAUSES) {
      s.fail(s.pos, `expected at most ${MAX_FILTER_CLAUSES} comparisons`);
    }
    comparisons.push(readComparison(s, grammar));
    s.skipSpace();
    if (s.atEnd()) return comparisons;
    const start = s.pos;
    const word = s.word()?.toUpperCase();
    if (word === "OR") {
      s.fail(start, "OR is not supported; MLflow filters combine comparisons with AND only");
    }
    if (word !== "AND") s.fail(start, "expected AND or the end of the filter");
    s.skipSpace();
    if (s.atEnd()) s.fail(s.pos, "expected a comparison after AND");
  }
}

/**
 * Parses order_by clauses (`key [ASC|DESC]`, ascending by default). Throws
 * `TRACKING_INVALID_FILTER` (field "order_by") for a malformed or repeated key.
 *
 * @example
 * parseOrderBy(["metrics.auc DESC", "start_time"], RUN_FILTER_GRAMMAR);
 */
export function parseOrderBy(
  clauses: readonly string[] | undefined,
  grammar: FilterGrammar,
): OrderByClause[] {
  if (clauses === undefined) return [];
  if (clauses.length > MAX_FILTER_CLAUSES) {
    throw invalid(
      "order_by",
      `Invalid order_by: ${clauses.length} clauses; the limit is ${MAX_FILTER_CLAUSES}`,
    );
  }
  const seen = new Set<string>();
  return clauses.map((clause, i) => {
    const where = `order_by[${i}]`;
    if (typeof clause !== "string") throw invalid("order_by", `Invalid ${where}: not a string`);
    if (clause.length > MAX_FILTER_LENGTH) {
      throw invalid("order_by", `Invalid ${where}: longer than ${MAX_FILTER_LENGTH} characters`);
    }
    const s = new Scanner(clause, where, "order_by");
    s.skipSpace();
    const ref = readKey(s, grammar, "order_by");
    s.skipSpace();
    let ascending = true;
    if (!s.atEnd()) {
      const start = s.pos;
      const direction = s.word()?.toUpperCase();
      if (direction !== "ASC" && direction !== "DESC") s.fail(start, "expected ASC or DESC");
      ascending = direction === "ASC";
      s.skipSpace();
      if (!s.atEnd()) s.fail(s.pos, "expected the end of the clause after ASC or DESC");
    }
    // MLflow's SQL stores refuse a repeated key: the second sort could never apply.
    const id = `${ref.entity}\u0000${ref.key}`;
    if (seen.has(id)) s.fail(ref.start, "this key already appears in an earlier order_by clause");
    seen.add(id);
    return { entity: ref.entity, key: ref.key, ascending };
  });
}

interface KeyRef {
  entity: FilterEntity;
  key: string;
  /** For attributes, the value type; undefined for metrics, params and tags. */
  type: AttributeType | undefined;
  start: number;
  end: number;
}

function readComparison(s: Scanner, grammar: FilterGrammar): FilterComparison {
  const ref = readKey(s, grammar, "filter");
  const keyEnd = s.pos;
  s.skipSpace();
  const opStart = s.pos;
  const op = readOperator(s, keyEnd);
  const allowed = allowedOps(ref, grammar);
  if (!allowed.includes(op)) {
    s.fail(
      opStart,
      `operator ${op} is not allowed on ${describe(ref)}; expected one of ${allowed.join(", ")}`,
      s.pos,
    );
  }
  s.skipSpace();
  const value =
    op === "IN" || op === "NOT IN"
      ? readList(s)
      : ref.entity === "metric" || ref.type === "number"
        ? readNumber(s, ref)
        : readString(s, ref);
  return { entity: ref.entity, key: ref.key, op, value };
}

function readKey(s: Scanner, grammar: FilterGrammar, purpose: "filter" | "order_by"): KeyRef {
  const start = s.pos;
  const prefixes = grammar.prefixes ?? RUN_PREFIXES;
  const { entities, attributes } = scope(grammar, purpose);
  const first = isNameQuote(s.peek()) ? s.quoted() : s.word();
  if (first === undefined) {
    s.fail(start, `expected a key: ${expectedKeys(grammar, purpose)}`);
  }
  let entity: FilterEntity;
  let key: string;
  if (s.peek() === ".") {
    const prefixEnd = s.pos;
    s.pos++;
    const resolved = lookup(prefixes, first);
    if (resolved === undefined) {
      const hint = /^datasets?$/.test(first) ? " (dataset filters are not supported)" : "";
      s.fail(
        start,
        `unknown prefix '${first}'${hint}; expected one of ${Object.keys(prefixes).join(", ")}`,
        prefixEnd,
      );
    }
    entity = resolved;
    const keyStart = s.pos;
    const rest = isNameQuote(s.peek()) ? s.quoted() : s.take(DOTTED_WORD);
    if (rest === undefined) s.fail(keyStart, `expected a key after '${first}.'`);
    key = rest;
  } else {
    if (!grammar.bareIdentifiersAreAttributes) {
      s.fail(start, `expected a prefixed key: ${expectedKeys(grammar, purpose)}`, s.pos);
    }
    entity = "attribute";
    key = first;
  }
  const end = s.pos;
  if (key === "") s.fail(start, "expected a non-empty key", end);
  if (!entities.has(entity)) {
    s.fail(
      start,
      `${entity}s cannot be used in this search's ${purpose}; expected ${expectedKeys(grammar, purpose)}`,
      end,
    );
  }
  if (entity !== "attribute") return { entity, key, type: undefined, start, end };
  const canonical = lookup(grammar.attributeAliases, key) ?? key;
  const type = lookup(attributes, canonical);
  if (type === undefined) {
    s.fail(
      start,
      `unknown attribute '${key}'; expected one of ${Object.keys(attributes).join(", ")}`,
      end,
    );
  }
  return { entity, key: canonical, type, start, end };
}

function readOperator(s: Scanner, keyEnd: number): FilterOp {
  const start = s.pos;
  if (SYMBOL_CHARS.includes(s.peek()) && !s.atEnd()) {
    while (!s.atEnd() && SYMBOL_CHARS.includes(s.peek())) s.pos++;
    const symbol = s.text.slice(start, s.pos);
    const op = NUMERIC_OPS.find((candidate) => candidate === symbol);
    if (op !== undefined) return op;
    s.fail(start, `expected a comparison operator (${ALL_OPS})`, s.pos);
  }
  const word = s.word()?.toUpperCase();
  if (word === "LIKE" || word === "ILIKE" || word === "IN") return word;
  if (word === "NOT") {
    s.skipSpace();
    const next = s.word()?.toUpperCase();
    if (next === "IN") return "NOT IN";
    s.fail(start, `expected IN after NOT (NOT LIKE and NOT ILIKE are not supported)`, s.pos);
  }
  if (word === "IS") {
    s.fail(start, `IS NULL and IS NOT NULL are not supported; expected one of ${ALL_OPS}`, s.pos);
  }
  // A key like my-metric stops at '-': point at quoting rather than at the operator.
  const hint =
    start === keyEnd && !s.atEnd()
      ? "; quote keys that contain other characters with backticks, e.g. metrics.`my-metric`"
      : "";
  s.fail(start, `expected a comparison operator (${ALL_OPS})${hint}`);
}

function allowedOps(ref: KeyRef, grammar: FilterGrammar): readonly FilterOp[] {
  if (ref.entity === "metric" || ref.type === "number") return NUMERIC_OPS;
  if (ref.entity !== "attribute") return STRING_OPS;
  const lists = lookup(grammar.listOperators, ref.key) ?? [];
  return [...STRING_OPS, ...lists];
}

function readNumber(s: Scanner, ref: KeyRef): number {
  const start = s.pos;
  const c = s.peek();
  if (c === "-" || c === "." || isDigit(c)) {
    const value = s.number();
    if (value !== undefined) return value;
    s.fail(start, `expected a finite number such as 0.8, -3 or 1e-4 for ${describe(ref)}`);
  }
  const got = c === "'" || c === '"' ? " (not a quoted string)" : "";
  s.fail(start, `expected a number for ${describe(ref)}${got}`);
}

function readString(s: Scanner, ref: KeyRef): string {
  const start = s.pos;
  const c = s.peek();
  if (c === "'" || c === '"') return s.quoted();
  if (c === "(") s.fail(start, "expected a quoted string; a list goes only with IN or NOT IN");
  const number = c === "-" || c === "." || isDigit(c) ? s.take(NUMBER) : undefined;
  if (number !== undefined) {
    s.fail(
      start,
      `expected a quoted string for ${describe(ref)} (MLflow compares it as text: write '${number}')`,
    );
  }
  s.fail(start, `expected a quoted string such as 'value' for ${describe(ref)}`);
}

function readList(s: Scanner): string[] {
  if (s.peek() !== "(") {
    s.fail(s.pos, "expected a parenthesised list of quoted strings, e.g. ('a', 'b')");
  }
  s.pos++;
  const values: string[] = [];
  for (;;) {
    s.skipSpace();
    const c = s.peek();
    // One trailing comma is tolerated, as MLflow's literal_eval of the list does.
    if (c === ")" && values.length > 0) break;
    if (c === ")") s.fail(s.pos, "expected a non-empty list of quoted strings");
    if (c !== "'" && c !== '"') s.fail(s.pos, "expected a quoted string in the list");
    values.push(s.quoted());
    s.skipSpace();
    if (s.peek() === ",") {
      s.pos++;
      continue;
    }
    if (s.peek() !== ")") s.fail(s.pos, "expected ',' or ')' in the list");
    break;
  }
  s.pos++;
  return values;
}

function describe(ref: KeyRef): string {
  return `${ref.entity} '${ref.key}'`;
}

/** The entities and attributes a filter, or an order_by, may name. */
function scope(grammar: FilterGrammar, purpose: "filter" | "order_by") {
  return purpose === "order_by" && grammar.orderBy !== undefined ? grammar.orderBy : grammar;
}

/** The keys a search accepts, for messages: "metrics.<key>, tags.<key> or an attribute (…)". */
function expectedKeys(grammar: FilterGrammar, purpose: "filter" | "order_by"): string {
  const prefixes = grammar.prefixes ?? RUN_PREFIXES;
  const { entities, attributes } = scope(grammar, purpose);
  // The first prefix listed for an entity is the one to suggest.
  const prefixOf = (entity: FilterEntity) =>
    Object.keys(prefixes).find((p) => prefixes[p] === entity) ?? entity;
  const keys = [...entities].filter((e) => e !== "attribute").map((e) => `${prefixOf(e)}.<key>`);
  if (entities.has("attribute")) {
    const names = Object.keys(attributes).join(", ");
    keys.push(
      grammar.bareIdentifiersAreAttributes
        ? `an attribute (${names})`
        : `${prefixOf("attribute")}.<name> (${names})`,
    );
  }
  return keys.length > 1 ? `${keys.slice(0, -1).join(", ")} or ${keys.at(-1)}` : keys.join("");
}

/** An own property only: a key such as `constructor` must not find Object.prototype's. */
function lookup<Value>(table: Readonly<Record<string, Value>> | undefined, key: string) {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

/** Backticks and double quotes quote names; double quotes also quote values. */
function isNameQuote(c: string): boolean {
  return c === "`" || c === '"';
}

function invalid(field: "filter" | "order_by", message: string): PlinthError {
  return new PlinthError("TRACKING_INVALID_FILTER", message, { field });
}

// Sticky patterns without nested ambiguity: each match is linear in what it consumes.
const WORD = /[\p{L}\p{N}_$#]+/uy;
// Words joined by dots (`a.b.c`), as sqlparse groups an unquoted dotted name.
const DOTTED_WORD = /[\p{L}\p{N}_$#]+(?:\.[\p{L}\p{N}_$#]+)*/uy;
const SPACE = /\s*/y;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const NEAR_LIMIT = 40;

/** A cursor over one filter or order_by clause; every method advances past what it reads. */
class Scanner {
  pos = 0;

  constructor(
    readonly text: string,
    private readonly where: string,
    private readonly field: "filter" | "order_by",
  ) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** The character at the cursor, or "" at the end. */
  peek(): string {
    return this.text.charAt(this.pos);
  }

  /** The match of the sticky `pattern` at the cursor, if any, advancing past it. */
  take(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const match = pattern.exec(this.text);
    if (match === null) return undefined;
    this.pos = pattern.lastIndex;
    return match[0];
  }

  skipSpace(): void {
    this.take(SPACE);
  }

  /** A run of letters, digits, `_`, `$` and `#`. */
  word(): string | undefined {
    return this.take(WORD);
  }

  /** A finite number; undefined if malformed, including when a letter or dot runs on (1abc). */
  number(): number | undefined {
    const text = this.take(NUMBER);
    if (text === undefined || this.peek() === "." || this.take(WORD) !== undefined) {
      return undefined;
    }
    const value = Number(text);
    return Number.isFinite(value) ? value : undefined;
  }

  /**
   * The quoted string at the cursor, unescaped. A doubled quote stands for one quote; in
   * '…' and "…" so does a backslash-quote, and \\ for one backslash. Other backslashes are
   * kept, so LIKE patterns such as 'a\_b' reach the database unchanged.
   */
  quoted(): string {
    const start = this.pos;
    const quote = this.text.charAt(start);
    let out = "";
    for (let i = start + 1; i < this.text.length; ) {
      const c = this.text.charAt(i);
      const next = this.text.charAt(i + 1);
      if (c === quote && next !== quote) {
        this.pos = i + 1;
        return out;
      }
      const escaped =
        c === quote || (c === "\\" && quote !== "`" && (next === quote || next === "\\"));
      out += escaped ? next : c;
      i += escaped ? 2 : 1;
    }
    return this.fail(start, `unterminated string: expected a closing ${quote}`);
  }

  /** Throws the error for a problem at `at`, quoting the token there (or the text to `end`). */
  fail(at: number, problem: string, end?: number): never {
    const token = this.excerpt(at, end);
    const near = token === "" ? " (at the end)" : ` near '${token}'`;
    throw invalid(this.field, `Invalid ${this.where} at position ${at}${near}: ${problem}`);
  }

  private excerpt(at: number, end: number | undefined): string {
    let from = at;
    if (end === undefined) {
      // Show the token a blank precedes, not the blank.
      SPACE.lastIndex = at;
      SPACE.exec(this.text);
      from = SPACE.lastIndex;
    }
    const stop = end ?? this.tokenEnd(from);
    const cut = Math.min(stop, from + NEAR_LIMIT);
    const text = this.text.slice(from, cut);
    return stop > cut ? `${text}…` : text;
  }

  /** Where the token at `from` ends: after its closing quote, or at the next blank. */
  private tokenEnd(from: number): number {
    const c = this.text.charAt(from);
    if (c === "'" || c === '"' || c === "`") {
      const close = this.text.indexOf(c, from + 1);
      return close === -1 ? this.text.length : close + 1;
    }
    let i = from;
    while (i < this.text.length && i - from <= NEAR_LIMIT && !/\s/.test(this.text.charAt(i))) i++;
    return i;
  }
}
