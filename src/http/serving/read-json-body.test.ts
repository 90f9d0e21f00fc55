import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import { readJsonBody } from "./read-json-body.ts";
import { sendError, sendJson } from "./send-json.ts";

const LIMIT = 1024;
let server: Server;
let port = 0;
const bugs: unknown[] = [];

before(async () => {
  // Echoes the parsed body, or the typed error: the body reader on a real socket.
  server = createServer((req, res) => {
    readJsonBody(req, LIMIT).then(
      (body) => sendJson(res, 200, { body }),
      (e: unknown) => sendError(res, e, (b) => bugs.push(b)),
    );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.close();
  assert.deepEqual(bugs, []);
});

/** Sends raw bytes (so invalid UTF-8 and lying headers can be sent) and reads the answer. */
function send(
  body: Buffer | string,
  headers: Record<string, string | number> = { "content-type": "application/json" },
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: "POST", path: "/", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
        }),
      );
    });
    // The server may answer 413 and close before the whole body is written.
    req.on("error", reject);
    req.end(body);
  });
}

test("parses JSON objects and keeps hostile keys as plain data", async () => {
  const r = await send('{"a":1,"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}');
  assert.equal(r.status, 200);
  const body = r.json.body as Record<string, unknown>;
  assert.equal(body.a, 1);
  assert.deepEqual(Object.keys(body), ["a", "__proto__", "constructor"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test("huge numbers parse as JSON.parse reads them (the runtime checks finiteness), never a crash", async () => {
  const r = await send('{"x":1e400,"y":123456789012345678901234567890}');
  assert.equal(r.status, 200);
  // JSON.stringify writes Infinity as null: the reader hands over what JSON.parse gives.
  assert.deepEqual(r.json.body, { x: null, y: 1.2345678901234568e29 });
});

test("refuses a declared length above the limit with 413 before reading it", async () => {
  const r = await send("x".repeat(LIMIT + 1), {
    "content-type": "application/json",
    "content-length": LIMIT + 1,
  });
  assert.equal(r.status, 413);
  assert.equal(r.json.error_code, "PAYLOAD_TOO_LARGE");
  assert.equal(r.json.field, "body");
  assert.match(String(r.json.error), /1024 bytes/);
});

test("refuses a chunked body that grows past the limit with 413", async () => {
  const r = await send(`[${"1,".repeat(LIMIT)}1]`, {
    "content-type": "application/json",
    "transfer-encoding": "chunked",
  });
  assert.equal(r.status, 413);
  assert.equal(r.json.error_code, "PAYLOAD_TOO_LARGE");
});

test("refuses malformed, empty, deeply nested and invalid UTF-8 bodies with 400 naming body", async () => {
  const cases: (Buffer | string)[] = [
    "{",
    "",
    "{'a':1}",
    "[1,]",
    "NaN",
    Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), // {"a":"\xff\xfe"}
    Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), // a UTF-8-encoded lone surrogate
  ];
  for (const body of cases) {
    const r = await send(body);
    assert.equal(r.status, 400, String(body));
    assert.equal(r.json.error_code, "MALFORMED_REQUEST", String(body));
    assert.equal(r.json.field, "body");
    assert.equal(typeof r.json.error, "string");
  }
});

test("deep nesting within the byte limit parses or is refused, never a 500", async () => {
  const deep = "[".repeat(500) + "]".repeat(500);
  const r = await send(deep);
  assert.ok(r.status === 200 || r.status === 400, String(r.status));
});

test("refuses a content type other than JSON", async () => {
  const r = await send('{"a":1}', { "content-type": "text/plain" });
  assert.equal(r.status, 400);
  assert.equal(r.json.error_code, "UNSUPPORTED_MEDIA_TYPE");
  assert.equal(r.json.field, "Content-Type");
  const ok = await send('{"a":1}', { "content-type": "application/json; charset=utf-8" });
  assert.equal(ok.status, 200);
});

test("a client that disconnects mid-body leaves the server answering", async () => {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  socket.write(
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"a":',
  );
  await new Promise((r) => setTimeout(r, 50));
  socket.destroy();
  await new Promise((r) => setTimeout(r, 50));
  const r = await send('{"still":"up"}');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.body, { still: "up" });
});
