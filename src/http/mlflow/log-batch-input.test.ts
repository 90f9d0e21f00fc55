import assert from "node:assert/strict";
import { test } from "node:test";
import type { FastifyRequest } from "fastify";
import { logBatchSchema, readLogBatch } from "./log-batch-input.ts";
import { readInput } from "./request-input.ts";

const request = (body: unknown) => ({ method: "POST", body }) as unknown as FastifyRequest;

/** The answer (or the error) of one reader, comparable across readers. */
function outcome(read: () => unknown) {
  try {
    return { ok: read() };
  } catch (error) {
    const e = error as { code?: string; message: string; field?: string };
    return { code: e.code, message: e.message, field: e.field };
  }
}

test("readLogBatch reads every body exactly as the log-batch schema does", () => {
  const metric = { key: "m", value: 0.5, timestamp: 1_700_000_000_000, step: 3 };
  const bodies: unknown[] = [
    { run_id: "r", metrics: [metric, { ...metric, step: undefined }, { ...metric, extra: 1 }] },
    { run_uuid: "r", metrics: [], params: [{ key: "p", value: "v" }], tags: [] },
    {
      run_id: "r",
      metrics: [
        { ...metric, value: "NaN" },
        { ...metric, value: "-Infinity" },
      ],
    },
    { run_id: "r", metrics: [{ ...metric, value: "1.5e3", timestamp: "17", step: "-2" }] },
    { run_id: "r", metrics: [metric, { ...metric, timestamp: "soon" }] },
    { run_id: "r", metrics: [metric, { ...metric, timestamp: 1.5 }] },
    { run_id: "r", metrics: [metric, { ...metric, step: 2 ** 53 }] },
    { run_id: "r", metrics: [metric, { key: "m", value: 1 }] },
    { run_id: "r", metrics: [metric, { ...metric, key: 7 }] },
    { run_id: "r", metrics: [metric, { ...metric, step: null }] },
    { run_id: "r", metrics: [metric, null] },
    { run_id: "r", metrics: [[metric]] },
    { run_id: "r", metrics: "all of them" },
    { run_id: 12, metrics: [metric] },
    { run_id: "r", metrics: [metric, { ...metric, value: "high" }], params: [{ key: "p" }] },
    { run_id: "r", metrics: [metric], params: [{ key: "p" }] },
    { run_id: "r", metrics: [metric], tags: "t" },
    { run_id: "r" },
    [],
    null,
  ];
  for (const body of bodies) {
    assert.deepEqual(
      outcome(() => readLogBatch(request(body))),
      outcome(() => readInput(logBatchSchema, request(body))),
      JSON.stringify(body),
    );
  }
});
