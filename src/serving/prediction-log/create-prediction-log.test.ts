import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { ArtifactStore } from "../../artifacts/artifact-store.ts";
import { createLocalArtifactStore } from "../../artifacts/local/local-artifact-store.ts";
import { isPlinthError } from "../../core/errors.ts";
import { createPredictionLog, type PredictionLogOptions } from "./create-prediction-log.ts";
import { createPredictionLogReader, readSegment } from "./create-prediction-log-reader.ts";
import type { PredictionRecord } from "./prediction-record.ts";
import { makeRecord } from "./testing/make-record.ts";

async function withStore(work: (artifacts: ArtifactStore, root: string) => Promise<void>) {
  const root = await mkdtemp(join(tmpdir(), "plinth-predlog-"));
  try {
    await work(createLocalArtifactStore({ root }), root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function options(
  artifacts: ArtifactStore,
  overrides: Partial<PredictionLogOptions> = {},
): PredictionLogOptions {
  return {
    artifacts,
    maxQueue: 10_000,
    segmentMaxRows: 10_000,
    segmentMaxAgeMs: 3_600_000,
    flushIntervalMs: 3_600_000,
    ...overrides,
  };
}

/** Every segment key under the deployment, at any depth. */
async function segmentKeys(artifacts: ArtifactStore, deployment = "fraud"): Promise<string[]> {
  const keys: string[] = [];
  for (const day of await artifacts.list(`predictions/${deployment}`)) {
    for (const file of await artifacts.list(`predictions/${deployment}/${day.path}`)) {
      keys.push(`predictions/${deployment}/${day.path}/${file.path}`);
    }
  }
  return keys;
}

const T0 = Date.UTC(2026, 11, 6, 10, 0, 0);

async function readSegmentText(artifacts: ArtifactStore, key: string): Promise<string> {
  let text = "";
  for await (const chunk of await artifacts.get(key)) text += (chunk as Buffer).toString("utf8");
  return text;
}

describe("prediction log", () => {
  test("records round-trip exactly: null, NaN, ±Infinity, -0, hostile strings, array outputs", async () => {
    await withStore(async (artifacts) => {
      const log = createPredictionLog(options(artifacts));
      const records: PredictionRecord[] = [
        {
          ...makeRecord(1, T0),
          features: {
            a: null,
            b: Number.NaN,
            c: Number.POSITIVE_INFINITY,
            d: Number.NEGATIVE_INFINITY,
            e: -0,
            f: 'quote " backslash \\ newline \n tab \t',
            g: '{"$n":"NaN"}',
            h: "emoji 🧪 and \u2028 separator",
            i: 1e308,
            j: 5e-324,
          },
          outputs: { probabilities: [0.25, Number.NaN, 0.75], score: Number.POSITIVE_INFINITY },
          entities: { user: "ü/../x", id: -7 },
        },
        { ...makeRecord(2, T0 + 1), features: {}, outputs: {}, entities: {} },
        makeRecord(3, T0 + 2),
      ];
      for (const r of records) assert.equal(log.append(r), true);
      await log.close();
      const read = await createPredictionLogReader(artifacts).read({ deployment: "fraud" });
      assert.deepStrictEqual(read, records);
      assert.ok(Object.is(read[0]!.features.e, -0));
      assert.deepEqual(log.stats(), {
        queued: 0,
        written: 3,
        dropped: 0,
        rejected: 0,
        segments: 1,
      });
    });
  });

  test("segments rotate at segmentMaxRows, and the open one is rewritten at each flush", async () => {
    await withStore(async (artifacts) => {
      const log = createPredictionLog(options(artifacts, { segmentMaxRows: 10 }));
      for (let i = 0; i < 35; i++) log.append(makeRecord(i, T0 + i));
      await log.flush();
      assert.equal((await segmentKeys(artifacts)).length, 4);
      assert.deepEqual(log.stats(), {
        queued: 0,
        written: 35,
        dropped: 0,
        rejected: 0,
        segments: 3,
      });
      for (let i = 35; i < 38; i++) log.append(makeRecord(i, T0 + i));
      await log.close();
      const keys = await segmentKeys(artifacts);
      assert.equal(keys.length, 4);
      const sizes = await Promise.all(
        keys.map(async (k) => (await readSegment(artifacts, k)).length),
      );
      assert.deepEqual(
        sizes.sort((a, b) => a - b),
        [8, 10, 10, 10],
      );
      const read = await createPredictionLogReader(artifacts).read({ deployment: "fraud" });
      assert.deepEqual(
        read.map((r) => r.requestId),
        Array.from({ length: 38 }, (_, i) => `r${i}`),
      );
      assert.equal(log.stats().segments, 4);
    });
  });

  test("a flush writes only the new rows, as a part of the open segment; closing replaces the parts", async () => {
    await withStore(async (artifacts) => {
      const log = createPredictionLog(options(artifacts));
      for (let i = 0; i < 5; i++) log.append(makeRecord(i, T0 + i));
      await log.flush();
      for (let i = 5; i < 8; i++) log.append(makeRecord(i, T0 + i));
      await log.flush();
      const parts = await segmentKeys(artifacts);
      assert.equal(parts.length, 2);
      assert.ok(parts.every((k) => /\.part-\d{6}\.ndjson$/.test(k)));
      const sizes = await Promise.all(
        parts.map(async (k) => (await readSegment(artifacts, k)).length),
      );
      assert.deepEqual(sizes, [5, 3]);
      const reader = createPredictionLogReader(artifacts);
      assert.equal((await reader.read({ deployment: "fraud" })).length, 8);
      await log.close();
      const [whole] = await segmentKeys(artifacts);
      assert.ok(whole !== undefined && !whole.includes(".part-"));
      assert.equal((await readSegment(artifacts, whole)).length, 8);
      // A crash between writing the segment and deleting its parts leaves a part behind:
      // readers skip it, so nothing is read twice.
      await artifacts.put(parts[0]!, await readSegmentText(artifacts, whole));
      assert.equal((await reader.read({ deployment: "fraud" })).length, 8);
      assert.equal((await reader.segments({ deployment: "fraud" })).length, 1);
    });
  });

  test("segments rotate by their records' age, by wall-clock age, and at UTC midnight", async () => {
    await withStore(async (artifacts) => {
      const log = createPredictionLog(options(artifacts, { segmentMaxAgeMs: 100 }));
      // Records 0..999 ms apart, appended out of order: sorted, they fill ten 100 ms segments.
      const ats = Array.from({ length: 200 }, (_, i) => T0 + ((i * 37) % 1000));
      for (const [i, at] of ats.entries()) log.append(makeRecord(i, at));
      await log.close();
      const keys = await segmentKeys(artifacts);
      assert.equal(keys.length, 10);
      for (const key of keys) {
        const [start, end] = key.split("/").at(-1)!.split("-").map(Number) as [number, number];
        assert.equal(end - start, 100);
        for (const r of await readSegment(artifacts, key)) assert.ok(r.at >= start && r.at < end);
      }
    });
    await withStore(async (artifacts) => {
      const log = createPredictionLog(options(artifacts, { segmentMaxAgeMs: 40 }));
      const now = Date.now();
      log.append(makeRecord(0, now));
      await log.flush();
      await sleep(80); // the open segment is now older than 40 ms by wall clock
      log.append(makeRecord(1, now + 1));
      await log.flush();
      await log.close();
      assert.equal((await segmentKeys(artifacts)).length, 2);
    });
    await withStore(async (artifacts) => {
      const log = createPredictionLog(options(artifacts));
      const midnight = Date.UTC(2026, 11, 7);
      log.append(makeRecord(0, midnight - 2));
      log.append(makeRecord(1, midnight - 1));
      log.append(makeRecord(2, midnight));
      await log.close();
      assert.deepEqual(
        (await artifacts.list("predictions/fraud")).map((d) => d.path),
        ["2026-12-06", "2026-12-07"],
      );
    });
  });

  test("a full queue drops and counts, in bounded memory, and never awaits", async () => {
    await withStore(async (artifacts) => {
      const log = createPredictionLog(options(artifacts, { maxQueue: 100 }));
      const record = makeRecord(0, T0);
      const before = process.memoryUsage().heapUsed;
      let accepted = 0;
      for (let i = 0; i < 1_000_000; i++) {
        // A fresh record each time: a log that kept them would grow by hundreds of MiB.
        if (log.append({ ...record, requestId: `r${i}`, features: { x: i } })) accepted++;
      }
      const growth = process.memoryUsage().heapUsed - before;
      assert.equal(accepted, 100);
      assert.deepEqual(log.stats(), {
        queued: 100,
        written: 0,
        dropped: 999_900,
        rejected: 0,
        segments: 0,
      });
      assert.ok(growth < 64 * 1024 * 1024, `heap grew by ${Math.round(growth / 1048576)} MiB`);
      await log.flush();
      assert.equal(log.stats().written, 100);
      assert.equal(log.append(record), true, "a drained queue accepts again");
      await log.close();
      assert.equal(log.append(record), false, "a closed log accepts nothing");
    });
  });

  test("records the writer cannot log are counted as rejected, and the rest are written", async () => {
    await withStore(async (artifacts) => {
      const log = createPredictionLog(options(artifacts));
      log.append(makeRecord(0, T0));
      log.append({ ...makeRecord(1, T0), deployment: "../escape" });
      log.append({ ...makeRecord(2, T0), at: Number.NaN });
      log.append({ ...makeRecord(3, T0), features: { big: 1n as unknown as number } });
      log.append(makeRecord(4, T0));
      await log.close();
      assert.deepEqual(log.stats(), {
        queued: 0,
        written: 2,
        dropped: 0,
        rejected: 3,
        segments: 1,
      });
      assert.deepEqual(
        (await artifacts.list("")).map((e) => e.path),
        ["predictions"],
      );
      assert.deepEqual(
        (await artifacts.list("predictions")).map((e) => e.path),
        ["fraud"],
      );
    });
  });

  test("the deployment option writes every record under one deployment; several deployments get their own segments", async () => {
    await withStore(async (artifacts) => {
      const routed = createPredictionLog(options(artifacts));
      routed.append(makeRecord(0, T0, "a"));
      routed.append(makeRecord(1, T0, "b"));
      routed.append(makeRecord(2, T0 + 1, "a"));
      await routed.close();
      const reader = createPredictionLogReader(artifacts);
      assert.deepEqual(
        (await reader.read({ deployment: "a" })).map((r) => r.requestId),
        ["r0", "r2"],
      );
      assert.deepEqual(
        (await reader.read({ deployment: "b" })).map((r) => r.requestId),
        ["r1"],
      );
      const pinned = createPredictionLog(options(artifacts, { deployment: "c" }));
      pinned.append(makeRecord(3, T0, "a"));
      await pinned.close();
      assert.deepEqual(
        (await reader.read({ deployment: "c" })).map((r) => r.requestId),
        ["r3"],
      );
    });
  });

  test("bad options are refused naming the field", async () => {
    await withStore(async (artifacts) => {
      for (const [field, value] of [
        ["maxQueue", 0],
        ["maxQueue", 1.5],
        ["segmentMaxRows", -1],
        ["segmentMaxAgeMs", 86_400_001],
        ["flushIntervalMs", Number.NaN],
        ["flushIntervalMs", "10"],
        ["deployment", "a/b"],
      ] as const) {
        assert.throws(
          () => createPredictionLog({ ...options(artifacts), [field]: value }),
          (e: unknown) => isPlinthError(e, "INVALID_ARGUMENT") && e.field === field,
        );
      }
    });
  });

  test("a child SIGKILLed mid-stream loses only its unflushed tail; every surviving record is whole", {
    timeout: 60_000,
  }, async (t) => {
    await withStore(async (artifacts, root) => {
      const script = fileURLToPath(new URL("./testing/append-until-killed.ts", import.meta.url));
      const child = spawn(process.execPath, ["--import", "tsx", script, root], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let durable = 0;
      let reports = 0;
      let buffered = "";
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on("exit", (_code, signal) => resolve(signal)),
      );
      await new Promise<void>((resolve) => {
        child.stdout.on("data", (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split("\n");
          buffered = lines.pop()!;
          for (const line of lines) {
            durable = Number(line.split(" ")[1]);
            // Kill after a few segments have rotated, while records keep streaming in.
            if (++reports === 12) {
              child.kill("SIGKILL");
              resolve();
            }
          }
        });
      });
      assert.equal(await exited, "SIGKILL");
      const read = await createPredictionLogReader(artifacts).read({ deployment: "fraud" });
      const ids = read.map((r) => Number(r.requestId.slice(1))).sort((a, b) => a - b);
      assert.ok(
        ids.length >= durable,
        `${ids.length} records survived, ${durable} were reported durable`,
      );
      t.diagnostic(`${durable} reported durable before the kill, ${ids.length} survived`);
      assert.ok((await segmentKeys(artifacts)).length >= 2, "the kill came after a rotation");
      // What survived is a prefix of what was appended (flushes are in order), each record whole.
      assert.deepEqual(
        ids,
        Array.from({ length: ids.length }, (_, i) => i),
      );
      const base = read.find((r) => r.requestId === "r0")!.at;
      for (const r of read) {
        const i = Number(r.requestId.slice(1));
        assert.deepStrictEqual(r, makeRecord(i, base + Math.floor(i / 50)));
      }
      const names = await readdir(root, { recursive: true });
      assert.ok(
        names.every((n) => !String(n).endsWith(".ndjson") || !String(n).includes(".plinth-tmp-")),
      );
    });
  });
});

describe("prediction log reader", () => {
  test("prunes segments by the time range in their names and reads a window in `at` order", async () => {
    await withStore(async (artifacts) => {
      const log = createPredictionLog(options(artifacts, { segmentMaxAgeMs: 60_000 }));
      // Ten minutes of records, one every 6 s, appended in reverse order.
      for (let i = 99; i >= 0; i--) log.append(makeRecord(i, T0 + i * 6000));
      await log.close();
      const reader = createPredictionLogReader(artifacts);
      const window = { deployment: "fraud", from: T0 + 120_000, to: T0 + 240_000 };
      const segments = await reader.segments(window);
      assert.deepEqual(
        segments.map((s) => s.start - T0),
        [120_000, 180_000],
      );
      const read = await reader.read(window);
      assert.deepEqual(
        read.map((r) => r.requestId),
        Array.from({ length: 20 }, (_, i) => `r${20 + i}`),
      );
      const challengers = await reader.read({ ...window, variants: ["challenger"] });
      assert.deepEqual(
        challengers.map((r) => r.requestId),
        ["r20", "r30"],
      );
      assert.deepEqual(await reader.read({ deployment: "fraud", from: T0 - 10, to: T0 }), []);
      assert.deepEqual(await reader.read({ deployment: "nobody" }), []);
    });
  });

  test("a damaged segment is PREDICTION_LOG_INVALID_SEGMENT naming its line; stray files are skipped; bad queries are refused", async () => {
    await withStore(async (artifacts, root) => {
      const log = createPredictionLog(options(artifacts));
      log.append(makeRecord(0, T0));
      log.append(makeRecord(1, T0 + 1));
      await log.close();
      const [key] = await segmentKeys(artifacts);
      await artifacts.put("predictions/fraud/2026-12-06/notes.txt", "not a segment");
      await writeFile(join(root, "predictions/fraud/README"), "stray");
      const reader = createPredictionLogReader(artifacts);
      assert.equal((await reader.read({ deployment: "fraud" })).length, 2);
      const good = (await readSegment(artifacts, key!)).map((r) => JSON.stringify(r));
      for (const [body, line] of [
        [`${good[0]}\n{"requestId": tor`, 2],
        [`${good[0]}\n{"requestId":"x"}\n`, 2],
        [`[1,2]\n`, 1],
        [`${good[0]}\n\n`, 2],
      ] as const) {
        await artifacts.put(key!, body);
        await assert.rejects(
          reader.read({ deployment: "fraud" }),
          (e: unknown) =>
            isPlinthError(e, "PREDICTION_LOG_INVALID_SEGMENT") &&
            e.message.includes(`line ${line}`),
        );
      }
      for (const query of [
        { deployment: "../x" },
        { deployment: "fraud", from: Number.NaN },
        { deployment: "fraud", from: 10, to: 5 },
        { deployment: "fraud", variants: "champion" },
        { deployment: 7 },
      ]) {
        await assert.rejects(reader.read(query as never), (e: unknown) =>
          isPlinthError(e, "INVALID_ARGUMENT"),
        );
      }
    });
  });
});
