import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { runCli } from "../../cli/testing/run-cli.ts";
import { resolveConfig } from "../../core/config.ts";
import { createLogger } from "../../core/logger.ts";
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from "../../monitoring/alerts/testing/webhook-receiver.ts";
import { openPlatform, type Platform } from "../../platform.ts";
import { createServer } from "../create-server.ts";

// Two real servers over one metadata store, each running the monitoring loop every second:
// a "no traffic" rule fires once between them (one evaluator per tick and per window), the
// webhook is posted once, and the history is readable over REST and the CLI.

const home = mkdtempSync(join(tmpdir(), "plinth-monitoring-routes-"));
let receiver: WebhookReceiver;
const servers: Array<{ app: FastifyInstance; platform: Platform; url: string }> = [];

before(async () => {
  receiver = await startWebhookReceiver(1);
  writeFileSync(
    join(home, "config.json"),
    JSON.stringify({
      monitoring: {
        intervalSeconds: 1,
        webhook: { maxAttempts: 3, initialBackoffMs: 10 },
        alerts: [
          {
            name: "no-traffic",
            deployment: "fraud",
            metric: "prediction_count",
            window: "1h",
            op: "<",
            threshold: 1,
            webhook: receiver.url,
          },
          {
            name: "fraud-drift",
            deployment: "fraud",
            metric: "drift_share",
            window: "1h",
            op: ">",
            threshold: 0.5,
          },
        ],
      },
    }),
  );
  for (let i = 0; i < 2; i++) {
    const platform = await openPlatform(resolveConfig({ overrides: { home, port: 0 }, env: {} }), {
      logger: createLogger({ level: "silent" }),
    });
    const app = await createServer(platform);
    servers.push({ app, platform, url: await app.listen({ host: "127.0.0.1", port: 0 }) });
  }
});
after(async () => {
  for (const s of servers) {
    await s.app.close();
    await s.platform.close();
  }
  await receiver.close();
  rmSync(home, { recursive: true, force: true });
});

async function get(url: string) {
  const response = await fetch(url);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

test("the servers evaluate the rules on schedule: one fired alert, one webhook delivery, history over REST", async () => {
  const { db } = servers[0]!.platform.metadata;
  // Wait (by polling the store) until several ticks have been claimed; the bound only
  // turns a hang into a failure.
  for (let polls = 0; ; polls++) {
    assert.ok(
      polls < 600,
      `no delivered webhook: ${JSON.stringify(await get(`${servers[0]!.url}/api/monitoring/alerts`))}`,
    );
    const ticks = await db.selectFrom("monitoring_ticks").select("tick_time").execute();
    const delivered = receiver.received.some((r) => r.status === 204);
    if (ticks.length >= 3 && delivered) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const ticks = await db.selectFrom("monitoring_ticks").selectAll().execute();
  assert.equal(new Set(ticks.map((t) => t.tick_time)).size, ticks.length);
  assert.ok(
    ticks.every((t) => t.error === null),
    JSON.stringify(ticks),
  );

  const { status, json } = await get(`${servers[1]!.url}/api/monitoring/alerts?deployment=fraud`);
  assert.equal(status, 200);
  const alerts = json.alerts as Array<Record<string, unknown>>;
  const fired = alerts.filter((a) => a.kind === "fired");
  assert.equal(fired.length, 1, JSON.stringify(alerts));
  assert.equal(fired[0]?.rule, "no-traffic");
  assert.equal(fired[0]?.value, 0);
  // drift_share has no reference and no data: an explicit no_data, not a crash.
  assert.ok(alerts.some((a) => a.rule === "fraud-drift" && a.kind === "no_data"));
  const states = Object.fromEntries(
    (json.states as Array<Record<string, unknown>>).map((s) => [s.rule, s.state]),
  );
  assert.deepEqual(states, { "fraud-drift": "no_data", "no-traffic": "firing" });
  // The receiver failed the first attempt; the retry got through, once.
  const bodies = receiver.received.map((r) => [r.status, (r.body as { kind: string }).kind]);
  assert.deepEqual(bodies, [
    [500, "fired"],
    [204, "fired"],
  ]);

  const cli = await runCli(home, "monitor", "alerts", "--deployment", "fraud", "--json");
  assert.equal(cli.code, 0, cli.stderr);
  const printed = JSON.parse(cli.stdout);
  assert.deepEqual(
    printed.alerts.map((a: { event_id: string }) => a.event_id),
    alerts.map((a) => a.event_id),
  );
  const text = await runCli(home, "monitor", "alerts");
  assert.match(text.stdout, /no-traffic\s+fraud\s+firing/);
  const decisions = await get(`${servers[0]!.url}/api/monitoring/decisions`);
  assert.deepEqual(decisions.json, { decisions: [] });
});

test("bad queries and flags are typed errors naming the field", async () => {
  const url = servers[0]!.url;
  for (const [query, field] of [
    ["limit=0", "limit"],
    ["limit=abc", "limit"],
    ["limit=99999999", "limit"],
    ["deployment=..%2Fx", "deployment"],
    ["bogus=1", "bogus"],
  ] as const) {
    const { status, json } = await get(`${url}/api/monitoring/alerts?${query}`);
    assert.equal(status, 400, query);
    assert.equal(json.error_code, "INVALID_ARGUMENT", query);
    assert.match(String(json.message), new RegExp(field), query);
  }
  const bad = await runCli(home, "monitor", "alerts", "--deployment", "../x", "--json");
  assert.equal(bad.code, 2);
  assert.equal(JSON.parse(bad.stderr).field, "deployment");
  const badRun = await runCli(home, "monitor", "run", "--deployment", "a b", "--json");
  assert.equal(badRun.code, 2);
  const badVerb = await runCli(home, "monitor", "nope");
  assert.equal(badVerb.code, 2);
  assert.match(badVerb.stderr, /'alerts', 'run' or 'skew'/);
});

test("plinth monitor run evaluates once now and prints what it evaluated", async () => {
  const result = await runCli(home, "monitor", "run", "--deployment", "fraud", "--json");
  assert.equal(result.code, 0, result.stderr);
  const out = JSON.parse(result.stdout);
  assert.ok(Array.isArray(out.alerts));
  assert.deepEqual(out.decisions, []);
  for (const a of out.alerts) assert.equal(a.deployment, "fraud");
});
