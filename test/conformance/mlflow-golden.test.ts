/**
 * Replays the traffic recorded between MLflow 2.12.2's Python client and a real
 * `mlflow server` (fixtures/golden-real-mlflow-2.12.2.jsonl, a copy of the team's
 * ../shared/mlflow recording, kept in the repository so a clean clone can run it) against plinth, and
 * checks every status, content type and body.
 *
 * Normalisation, and nothing else:
 * - ids: the recorded experiment and run ids are bound to plinth's on first sight, then
 *   substituted into later requests and expected bodies;
 * - server-chosen times (creation/update timestamps) only need to be integers;
 * - lists of key/value objects are compared as multisets (MLflow promises no order);
 * - the recorder shortened long lists to their first items plus "... N items in total":
 *   in a request the missing items are rebuilt from the client script's known pattern (the
 *   run-name tag, and the loss series 1/(step+1) at one millisecond per step); in a response
 *   the list must have N items and contain the shown ones.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { startTestServer, type TestServer } from "../../src/http/testing/start-test-server.ts";

interface Exchange {
  method: string;
  path: string;
  req_content_type: string | null;
  req_body: unknown;
  status: number;
  resp_content_type: string | null;
  resp_body: unknown;
}

const GOLDEN = new URL("./fixtures/golden-real-mlflow-2.12.2.jsonl", import.meta.url);
const TRUNCATED = /^\.\.\. (\d+) items in total$/;
const SERVER_TIMES = new Set([
  "creation_time",
  "last_update_time",
  "creation_timestamp",
  "last_updated_timestamp",
]);
const BINARY = /^<(\d+) binary bytes>$/;

class IdMap {
  private readonly ids = new Map<string, string>();

  bind(recorded: string, actual: string, where: string): void {
    const known = this.ids.get(recorded);
    if (known === undefined) this.ids.set(recorded, actual);
    else assert.equal(actual, known, `${where}: id ${recorded} maps to ${known}, got ${actual}`);
  }

  /** Recorded ids inside a string (run ids anywhere, experiment ids in artifact paths) → plinth's. */
  text(value: string): string {
    return value
      .replace(/[0-9a-f]{32}/g, (id) => this.ids.get(id) ?? id)
      .replace(
        /(artifacts\/|^)(\d+)(?=\/[0-9a-f]{32})/g,
        (_, pre: string, id: string) => pre + (this.ids.get(id) ?? id),
      )
      .replace(
        /(mlflow-artifacts:\/)(\d+)(?=\/|$)/g,
        (_, pre: string, id: string) => pre + (this.ids.get(id) ?? id),
      );
  }

  path(path: string): string {
    const [route, query] = path.split("?");
    if (query === undefined) return this.text(route!);
    const params = new URLSearchParams(query);
    const out = new URLSearchParams();
    for (const [k, v] of params)
      out.append(k, k === "experiment_id" ? (this.ids.get(v) ?? v) : this.text(v));
    return `${this.text(route!)}?${out.toString()}`;
  }

  body(value: unknown, key = ""): unknown {
    if (typeof value === "string")
      return key === "experiment_id" ? (this.ids.get(value) ?? value) : this.text(value);
    if (Array.isArray(value))
      return value.map((v) => this.body(v, key === "experiment_ids" ? "experiment_id" : key));
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.body(v, k)]));
    }
    return value;
  }
}

/** Rebuilds the items the recorder left out of a request list (see the header). */
function expandRequest(value: unknown, context: Record<string, unknown> = {}): unknown {
  if (Array.isArray(value)) {
    const last = value.at(-1);
    const match = typeof last === "string" ? TRUNCATED.exec(last) : null;
    if (match === null) return value.map((v) => expandRequest(v));
    const shown = value.slice(0, -1) as Array<Record<string, unknown>>;
    const total = Number(match[1]);
    const out = [...shown];
    for (let i = shown.length; i < total; i++) out.push(fill(shown, i, context));
    return out;
  }
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, expandRequest(v, obj)]));
  }
  return value;
}

function fill(
  shown: Array<Record<string, unknown>>,
  i: number,
  context: Record<string, unknown>,
): Record<string, unknown> {
  const first = shown[0]!;
  if ("step" in first) {
    return {
      key: first.key,
      value: 1 / (i + 1),
      timestamp: (first.timestamp as number) + i,
      step: i,
    };
  }
  if (i === 3 && "key" in first && typeof context.run_name === "string") {
    return { key: "mlflow.runName", value: context.run_name };
  }
  throw new Error(`no rule to rebuild item ${i} of ${JSON.stringify(shown)}`);
}

function binaryOf(size: number): Buffer {
  return Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + 7) % 256));
}

const isKeyed = (items: unknown[]) =>
  items.every(
    (i) => i !== null && typeof i === "object" && ("key" in i || "path" in i || "alias" in i),
  );

/** Asserts `actual` matches the recorded `expected`, binding ids on the way. */
function match(expected: unknown, actual: unknown, ids: IdMap, where: string, key = ""): void {
  if (SERVER_TIMES.has(key)) {
    assert.ok(
      Number.isSafeInteger(actual),
      `${where}: ${key} should be an integer time, got ${JSON.stringify(actual)}`,
    );
    return;
  }
  if (
    (key === "experiment_id" || key === "run_id" || key === "run_uuid") &&
    typeof expected === "string"
  ) {
    assert.equal(typeof actual, "string", `${where}: ${key}`);
    ids.bind(expected, actual as string, where);
    return;
  }
  if (typeof expected === "string") {
    assert.equal(actual, ids.text(expected), `${where}`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${where}: expected a list, got ${JSON.stringify(actual)}`);
    const last = expected.at(-1);
    const truncated = typeof last === "string" ? TRUNCATED.exec(last) : null;
    const shown = truncated === null ? expected : expected.slice(0, -1);
    assert.equal(
      actual.length,
      truncated === null ? expected.length : Number(truncated[1]),
      `${where}: list length`,
    );
    if (truncated !== null || isKeyed(shown)) {
      const remaining = [...actual];
      for (const item of shown) {
        const at = remaining.findIndex((candidate) => {
          try {
            match(item, candidate, ids, where);
            return true;
          } catch {
            return false;
          }
        });
        assert.ok(
          at >= 0,
          `${where}: ${JSON.stringify(item)} not found in ${JSON.stringify(actual).slice(0, 400)}`,
        );
        remaining.splice(at, 1);
      }
      return;
    }
    for (const [i, item] of expected.entries()) match(item, actual[i], ids, `${where}[${i}]`);
    return;
  }
  if (expected !== null && typeof expected === "object") {
    assert.ok(
      actual !== null && typeof actual === "object" && !Array.isArray(actual),
      `${where}: expected an object`,
    );
    const a = actual as Record<string, unknown>;
    assert.deepEqual(Object.keys(a).sort(), Object.keys(expected).sort(), `${where}: fields`);
    for (const [k, v] of Object.entries(expected)) match(v, a[k], ids, `${where}.${k}`, k);
    return;
  }
  assert.deepEqual(actual, expected, where);
}

let server: TestServer;
before(async () => {
  server = await startTestServer();
  // The recording's server already held experiments 0 and 1; plinth starts with 0 only.
});
after(() => server.close());

test("MLflow 2.12.2 client traffic replays against plinth with the same answers", async () => {
  const exchanges = readFileSync(GOLDEN, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Exchange);
  assert.ok(exchanges.length >= 50);
  const ids = new IdMap();

  for (const [n, ex] of exchanges.entries()) {
    const where = `#${n + 1} ${ex.method} ${ex.path.split("?")[0]}`;
    const path = ids.path(ex.path);
    const headers: Record<string, string> = {};
    let body: string | Buffer | undefined;
    if (ex.req_content_type !== null) headers["content-type"] = ex.req_content_type;
    if (ex.req_body !== null && ex.req_content_type === "application/json") {
      body = JSON.stringify(ids.body(expandRequest(ex.req_body)));
    } else if (typeof ex.req_body === "string") {
      const binary = BINARY.exec(ex.req_body);
      body = binary === null ? ex.req_body : binaryOf(Number(binary[1]));
    }
    const response = await fetch(server.url + path, { method: ex.method, headers, body });
    assert.equal(response.status, ex.status, `${where}: status (${await response.clone().text()})`);
    assert.equal(
      response.headers.get("content-type")?.split(";")[0],
      ex.resp_content_type,
      `${where}: content type`,
    );

    if (ex.resp_content_type === "application/json") {
      match(ex.resp_body, await response.json(), ids, where);
    } else {
      const bytes = Buffer.from(await response.arrayBuffer());
      const binary = typeof ex.resp_body === "string" ? BINARY.exec(ex.resp_body) : null;
      if (binary === null) assert.equal(bytes.toString("utf8"), ex.resp_body, where);
      else assert.deepEqual(bytes, binaryOf(Number(binary[1])), where);
    }
  }
});
