import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  deleteKeysWithPrefix,
  TEST_REDIS_URL,
  uniqueKeyPrefix,
} from "../../features/online/testing/redis-test-url.ts";
import { TEST_POSTGRES_URL } from "../../metadata/testing/metadata-backends.ts";
import type { Platform } from "../../platform.ts";
import { createServingFixture } from "../../serving/testing/serving-fixture.ts";
import { runCli } from "../testing/run-cli.ts";

const RUN = fileURLToPath(new URL("../run.ts", import.meta.url));

interface Serve {
  url: string;
  pids: number[];
  child: ChildProcess;
  /** Every JSON line the process wrote to stderr so far. */
  events: Record<string, unknown>[];
}

/** The stores of `platform` as the environment a `plinth serve` process reads. */
function storesEnv(platform: Platform): NodeJS.ProcessEnv {
  const { config } = platform;
  const env: NodeJS.ProcessEnv = {
    PLINTH_HOME: config.home,
    PLINTH_FEATURES: config.featuresModule,
    PLINTH_LOG_LEVEL: "warn",
  };
  if (config.metadata.type === "postgres") {
    const schema = config.metadata.schema;
    env.PLINTH_METADATA_URL = `${config.metadata.url}${schema === undefined ? "" : `?schema=${schema}`}`;
  }
  if (config.online.type === "redis") {
    env.PLINTH_ONLINE_URL = `${config.online.url}?prefix=${encodeURIComponent(config.online.keyPrefix)}`;
  }
  return env;
}

/** Starts `plinth serve ... --json` as a real process; resolves once it says it listens. */
async function startServe(args: string[], env: NodeJS.ProcessEnv): Promise<Serve> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", RUN, "serve", "--port", "0", "--json", ...args],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const events: Record<string, unknown>[] = [];
  let stderr = "";
  createInterface({ input: child.stderr! }).on("line", (line) => {
    stderr += `${line}\n`;
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a log line that is not JSON
    }
  });
  const started = await new Promise<{ url: string; pids: number[] }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        const e = JSON.parse(line) as { event?: string; url?: string; pids?: number[] };
        if (e.event === "listening") resolve({ url: e.url!, pids: e.pids! });
      } catch {
        // not the readiness line
      }
    });
    child.once("exit", (code) => reject(new Error(`plinth serve exited with ${code}: ${stderr}`)));
  });
  return { ...started, child, events };
}

async function stop(s: Serve): Promise<number | null> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return s.child.exitCode;
  const exited = once(s.child, "exit");
  s.child.kill("SIGTERM");
  const [code] = (await exited) as [number | null];
  return code;
}

async function predict(url: string, driver = 1001) {
  const response = await fetch(`${url}/api/deployments/drivers/predict`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ entities: { driver_id: driver }, request: { bonus: 0.5, amount: 30 } }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("two replicas share one PostgreSQL registry and one Redis online store: both answer, both follow an alias move", {
  skip: TEST_POSTGRES_URL === undefined ? "PLINTH_TEST_POSTGRES_URL is not set" : false,
}, async () => {
  const keyPrefix = uniqueKeyPrefix();
  const fx = await createServingFixture({
    postgresUrl: TEST_POSTGRES_URL!,
    redis: { url: TEST_REDIS_URL, keyPrefix },
  });
  const replicas: Serve[] = [];
  try {
    await fx.platform.deployments.create({
      name: "drivers",
      variants: [
        { name: "champion", model: fx.model, alias: "champion", weight: 100, shadow: false },
      ],
    });
    const env = storesEnv(fx.platform);
    assert.match(String(env.PLINTH_METADATA_URL), /^postgres/);
    assert.match(String(env.PLINTH_ONLINE_URL), /^redis/);
    replicas.push(
      ...(await Promise.all(
        [1, 2].map(() => startServe(["--workers", "1", "--deployments", "drivers"], env)),
      )),
    );
    assert.notEqual(replicas[0]!.url, replicas[1]!.url);
    for (const r of replicas) {
      const a = await predict(r.url);
      assert.equal(a.status, 200, JSON.stringify(a.json));
      assert.deepEqual(a.json.model, { name: fx.model, version: "1" });
    }
    // Driver 1002's city is null online (Redis): both replicas read the same store.
    const [x, y] = await Promise.all(replicas.map((r) => predict(r.url, 1002)));
    assert.deepEqual(x!.json.outputs, y!.json.outputs);

    await fx.platform.registry.aliases.set(fx.model, "champion", "2");
    for (const r of replicas) {
      await until(`${r.url} to serve version 2`, async () => {
        const a = await predict(r.url);
        assert.equal(a.status, 200, JSON.stringify(a.json));
        return (a.json.model as { version: string }).version === "2" ? true : undefined;
      });
    }
    for (const r of replicas) assert.equal(await stop(r), 0);
  } finally {
    for (const r of replicas) await stop(r);
    await fx.close();
    await deleteKeysWithPrefix(TEST_REDIS_URL, keyPrefix);
  }
});

test("--workers 2 runs a cluster that replaces a crashed worker and stops cleanly", async () => {
  const fx = await createServingFixture();
  let serve: Serve | undefined;
  try {
    await fx.platform.deployments.create({
      name: "drivers",
      variants: [
        { name: "champion", model: fx.model, alias: "champion", weight: 100, shadow: false },
      ],
    });
    serve = await startServe(["--workers", "2"], storesEnv(fx.platform));
    assert.equal(serve.pids.length, 2);
    const s = serve;
    for (let i = 0; i < 10; i++) assert.equal((await predict(s.url)).status, 200);

    const victim = s.pids[0]!;
    process.kill(victim, "SIGKILL");
    const restart = await until("a replacement worker", async () =>
      s.events.find((e) => e.event === "worker-restart"),
    );
    assert.ok(
      s.events.some((e) => e.event === "worker-exit" && e.pid === victim && e.signal === "SIGKILL"),
    );
    const replacement = restart.pid as number;
    assert.ok(alive(replacement));
    // Every request is answered meanwhile, by whichever worker is up and loaded.
    for (let i = 0; i < 20; i++) {
      const a = await predict(s.url);
      assert.ok(a.status === 200 || a.status === 503, JSON.stringify(a.json));
    }
    await until("the replacement to have loaded the model", async () => {
      const ok = await Promise.all(Array.from({ length: 6 }, () => predict(s.url)));
      return ok.every((a) => a.status === 200) ? true : undefined;
    });

    assert.equal(await stop(s), 0);
    assert.equal(alive(replacement), false);
    assert.equal(alive(s.pids[1]!), false);
  } finally {
    if (serve !== undefined) await stop(serve);
    await fx.close();
  }
});

test("serve refuses bad flags and unknown deployments before listening", async () => {
  const fx = await createServingFixture();
  try {
    const home = fx.platform.config.home;
    const cases: [string[], number, string][] = [
      [["serve", "--workers", "0"], 2, "workers"],
      [["serve", "--workers", "two"], 2, "workers"],
      [["serve", "--port", "70000"], 2, "port"],
      [["serve", "--deployments", "a,b/c"], 2, "deployments"],
      [["serve", "--deployments", "ghost", "--workers", "1"], 1, "name"],
      [["serve", "extra"], 2, "serve"],
    ];
    for (const [argv, code, field] of cases) {
      const r = await runCli(home, ...argv, "--json");
      assert.equal(r.code, code, `${argv.join(" ")}: ${r.stderr}`);
      const error = JSON.parse(r.stderr) as { field?: string; error_code: string };
      if (argv.includes("ghost")) assert.equal(error.error_code, "DEPLOYMENT_NOT_FOUND");
      else assert.equal(error.field, field, `${argv.join(" ")}: ${r.stderr}`);
    }
  } finally {
    await fx.close();
  }
});
