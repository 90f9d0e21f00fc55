import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { isPlinthError } from "../core/errors.ts";
import { rejectsWithCode as rejectsWith } from "../core/testing/rejects-with-code.ts";
import type { MetadataStore } from "../metadata/metadata-store.ts";
import { metadataBackends } from "../metadata/testing/metadata-backends.ts";
import { createTrackingService, type TrackingService } from "./tracking-service.ts";
import type { Run } from "./types.ts";

for (const backend of metadataBackends()) {
  describe(`tracking on ${backend.name}`, () => {
    let store: MetadataStore;
    let cleanup: () => Promise<void>;
    let tracking: TrackingService;
    before(async () => {
      ({ store, cleanup } = await backend.open());
      tracking = createTrackingService(store);
    });
    after(() => cleanup());

    test("the Default experiment exists with id 0", async () => {
      const e = await tracking.experiments.get("0");
      assert.equal(e.name, "Default");
      assert.equal(e.artifactLocation, "mlflow-artifacts:/0");
    });

    test("experiments: create, read by id and name, tags, duplicate names refused", async () => {
      const id = await tracking.experiments.create({
        name: "exp-a",
        tags: [{ key: "team", value: "risk" }],
      });
      const e = await tracking.experiments.getByName("exp-a");
      assert.equal(e.experimentId, id);
      assert.equal(e.artifactLocation, `mlflow-artifacts:/${id}`);
      assert.deepEqual(e.tags, [{ key: "team", value: "risk" }]);
      await rejectsWith(
        tracking.experiments.create({ name: "exp-a" }),
        "TRACKING_EXPERIMENT_EXISTS",
        "name",
      );
      await rejectsWith(tracking.experiments.create({ name: "" }), "INVALID_ARGUMENT", "name");
      await rejectsWith(tracking.experiments.get("999999"), "TRACKING_EXPERIMENT_NOT_FOUND");
      await rejectsWith(tracking.experiments.get("abc"), "INVALID_ARGUMENT", "experiment_id");
      await rejectsWith(tracking.experiments.getByName("nope"), "TRACKING_EXPERIMENT_NOT_FOUND");
    });

    test("experiments: concurrent creates of one name make exactly one", async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => tracking.experiments.create({ name: "racy" })),
      );
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      for (const r of results) {
        if (r.status === "rejected")
          assert.ok(isPlinthError(r.reason, "TRACKING_EXPERIMENT_EXISTS"));
      }
    });

    test("experiments: search, pagination, rename, delete and restore", async () => {
      for (const n of ["s-1", "s-2", "s-3"]) await tracking.experiments.create({ name: n });
      const first = await tracking.experiments.search({
        filter: "name LIKE 's-%'",
        maxResults: 2,
        orderBy: ["name ASC"],
      });
      assert.deepEqual(
        first.items.map((e) => e.name),
        ["s-1", "s-2"],
      );
      assert.ok(first.nextPageToken);
      const second = await tracking.experiments.search({
        filter: "name LIKE 's-%'",
        maxResults: 2,
        orderBy: ["name ASC"],
        pageToken: first.nextPageToken,
      });
      assert.deepEqual(
        second.items.map((e) => e.name),
        ["s-3"],
      );
      assert.equal(second.nextPageToken, undefined);

      const id = (await tracking.experiments.getByName("s-3")).experimentId;
      await tracking.experiments.rename(id, "s-3-renamed");
      assert.equal((await tracking.experiments.get(id)).name, "s-3-renamed");
      await tracking.experiments.delete(id);
      const active = await tracking.experiments.search({ filter: "name LIKE 's-%'" });
      assert.ok(!active.items.some((e) => e.experimentId === id));
      const deleted = await tracking.experiments.search({ viewType: "DELETED_ONLY" });
      assert.ok(deleted.items.some((e) => e.experimentId === id));
      await rejectsWith(
        tracking.runs.create({ experimentId: id }),
        "TRACKING_EXPERIMENT_NOT_ACTIVE",
      );
      await tracking.experiments.restore(id);
      await rejectsWith(tracking.experiments.restore(id), "TRACKING_EXPERIMENT_NOT_ACTIVE");
      await rejectsWith(
        tracking.experiments.search({ pageToken: "garbage!" }),
        "TRACKING_INVALID_PAGE_TOKEN",
      );
      await rejectsWith(
        tracking.experiments.search({ maxResults: 0 }),
        "INVALID_ARGUMENT",
        "max_results",
      );
    });

    test("runs: create sets RUNNING, artifact uri and the runName tag", async () => {
      const exp = await tracking.experiments.create({ name: "runs-basic" });
      const run = await tracking.runs.create({
        experimentId: exp,
        runName: "first",
        userId: "ana",
        startTime: 1000,
        tags: [{ key: "mlflow.source.name", value: "train.ts" }],
      });
      assert.match(run.info.runId, /^[0-9a-f]{32}$/);
      assert.equal(run.info.status, "RUNNING");
      assert.equal(run.info.artifactUri, `mlflow-artifacts:/${exp}/${run.info.runId}/artifacts`);
      assert.deepEqual(
        new Set(run.data.tags.map((t) => `${t.key}=${t.value}`)),
        new Set(["mlflow.source.name=train.ts", "mlflow.runName=first"]),
      );
      const unnamed = await tracking.runs.create({ experimentId: exp });
      assert.match(unnamed.info.runName, /^[a-z]+-[a-z]+-\d+$/);

      const info = await tracking.runs.update(run.info.runId, {
        status: "FINISHED",
        endTime: 2000,
        runName: "renamed",
      });
      assert.equal(info.status, "FINISHED");
      assert.equal(info.endTime, 2000);
      assert.equal(info.runName, "renamed");
      const reread = await tracking.runs.get(run.info.runId);
      assert.ok(reread.data.tags.some((t) => t.key === "mlflow.runName" && t.value === "renamed"));
      await rejectsWith(tracking.runs.get("0".repeat(32)), "TRACKING_RUN_NOT_FOUND", "run_id");
      await rejectsWith(tracking.runs.get("../../etc/passwd"), "TRACKING_RUN_NOT_FOUND", "run_id");
      await rejectsWith(
        tracking.runs.create({ experimentId: "424242" }),
        "TRACKING_EXPERIMENT_NOT_FOUND",
      );
      await rejectsWith(
        tracking.runs.update(run.info.runId, { status: "DONE" as never }),
        "INVALID_ARGUMENT",
        "status",
      );
    });

    test("runs: params are immutable and a bad batch writes nothing", async () => {
      const exp = await tracking.experiments.create({ name: "runs-params" });
      const { runId } = (await tracking.runs.create({ experimentId: exp })).info;
      await tracking.runs.logBatch(runId, { params: [{ key: "lr", value: "0.1" }] });
      await tracking.runs.logBatch(runId, { params: [{ key: "lr", value: "0.1" }] });
      await rejectsWith(
        tracking.runs.logBatch(runId, {
          metrics: [{ key: "should-not-land", value: 1, timestamp: 1, step: 0 }],
          params: [{ key: "lr", value: "0.2" }],
          tags: [{ key: "nor-this", value: "x" }],
        }),
        "TRACKING_PARAM_CHANGED",
        "params",
      );
      const run = await tracking.runs.get(runId);
      assert.deepEqual(run.data.params, [{ key: "lr", value: "0.1" }]);
      assert.equal(run.data.metrics.length, 0);
      assert.ok(!run.data.tags.some((t) => t.key === "nor-this"));
      await rejectsWith(
        tracking.runs.logBatch(runId, {
          params: [
            { key: "a", value: "1" },
            { key: "a", value: "2" },
          ],
        }),
        "TRACKING_PARAM_CHANGED",
      );
    });

    test("runs: batch limits and malformed items are refused before any write", async () => {
      const exp = await tracking.experiments.create({ name: "runs-limits" });
      const { runId } = (await tracking.runs.create({ experimentId: exp })).info;
      const metric = (i: number) => ({ key: "m", value: i, timestamp: i, step: i });
      await rejectsWith(
        tracking.runs.logBatch(runId, {
          metrics: Array.from({ length: 1001 }, (_, i) => metric(i)),
        }),
        "TRACKING_BATCH_TOO_LARGE",
        "metrics",
      );
      await rejectsWith(
        tracking.runs.logBatch(runId, {
          params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: "v" })),
        }),
        "TRACKING_BATCH_TOO_LARGE",
        "params",
      );
      await rejectsWith(
        tracking.runs.logBatch(runId, {
          metrics: [{ key: "m", value: "1" as never, timestamp: 1, step: 0 }],
        }),
        "INVALID_ARGUMENT",
        "metrics[0].value",
      );
      await rejectsWith(
        tracking.runs.logBatch(runId, {
          metrics: [{ key: "../evil", value: 1, timestamp: 1, step: 0 }],
        }),
        "INVALID_ARGUMENT",
        "metrics[0].key",
      );
      await rejectsWith(
        tracking.runs.logBatch(runId, {
          metrics: [{ key: "m", value: 1, timestamp: 1.5, step: 0 }],
        }),
        "INVALID_ARGUMENT",
        "metrics[0].timestamp",
      );
      await rejectsWith(
        tracking.runs.logBatch(runId, { params: [{ key: "big", value: "x".repeat(6001) }] }),
        "INVALID_ARGUMENT",
        "params[0].value",
      );
      await rejectsWith(
        tracking.runs.logBatch("f".repeat(32), { tags: [{ key: "a", value: "b" }] }),
        "TRACKING_RUN_NOT_FOUND",
      );
      assert.equal((await tracking.runs.get(runId)).data.metrics.length, 0);
    });

    test("runs: metric history, latest value, non-finite values and idempotent retries", async () => {
      const exp = await tracking.experiments.create({ name: "runs-metrics" });
      const { runId } = (await tracking.runs.create({ experimentId: exp })).info;
      const series = Array.from({ length: 30 }, (_, i) => ({
        key: "loss",
        value: 1 / (i + 1),
        timestamp: 100 + i,
        step: i,
      }));
      await tracking.runs.logBatch(runId, { metrics: series.slice(10) });
      await tracking.runs.logBatch(runId, { metrics: series.slice(0, 10) });
      await tracking.runs.logBatch(runId, { metrics: series.slice(0, 10) }); // a retried batch
      await tracking.runs.logBatch(runId, {
        metrics: [
          { key: "nan", value: Number.NaN, timestamp: 1, step: 0 },
          { key: "inf", value: Number.POSITIVE_INFINITY, timestamp: 1, step: 0 },
          { key: "ninf", value: Number.NEGATIVE_INFINITY, timestamp: 1, step: 0 },
        ],
      });
      const history = await tracking.runs.metricHistory(runId, "loss");
      assert.equal(history.items.length, 30);
      assert.deepEqual(history.items, series);
      const page1 = await tracking.runs.metricHistory(runId, "loss", { maxResults: 20 });
      const page2 = await tracking.runs.metricHistory(runId, "loss", {
        maxResults: 20,
        pageToken: page1.nextPageToken,
      });
      assert.deepEqual([...page1.items, ...page2.items], series);
      assert.equal(page2.nextPageToken, undefined);

      const run = await tracking.runs.get(runId);
      const latest = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
      assert.equal(latest.loss, 1 / 30);
      assert.ok(Number.isNaN(latest.nan));
      assert.equal(latest.inf, Number.POSITIVE_INFINITY);
      assert.equal(latest.ninf, Number.NEGATIVE_INFINITY);
      // An older step logged later does not move "latest" back.
      await tracking.runs.logBatch(runId, {
        metrics: [{ key: "loss", value: 99, timestamp: 999, step: 3 }],
      });
      assert.equal(
        (await tracking.runs.get(runId)).data.metrics.find((m) => m.key === "loss")?.value,
        1 / 30,
      );
    });

    test("runs: a batch of 1,000 metrics, with duplicates, lands once and exactly", async () => {
      const exp = await tracking.experiments.create({ name: "runs-big-batch" });
      const { runId } = (await tracking.runs.create({ experimentId: exp })).info;
      // 1,000 is not a power of two (the insert goes in chunks), and the doubles need all 17
      // significant digits to read back as themselves.
      const metrics = Array.from({ length: 999 }, (_, i) => ({
        key: `m${i % 7}`,
        value: Math.sin(i) * 10 ** ((i % 40) - 20),
        timestamp: 1_700_000_000_000 + i,
        step: i,
      }));
      metrics.push({ ...metrics[5]! });
      await tracking.runs.logBatch(runId, { metrics });
      await tracking.runs.logBatch(runId, { metrics: metrics.slice(0, 300) }); // a retry
      let stored = 0;
      for (let k = 0; k < 7; k++) {
        const history = await tracking.runs.metricHistory(runId, `m${k}`);
        assert.deepEqual(
          history.items,
          metrics.slice(0, 999).filter((m) => m.key === `m${k}`),
        );
        stored += history.items.length;
      }
      assert.equal(stored, 999);
    });

    test("runs: search and get return every run's data, with awkward doubles intact", async () => {
      const exp = await tracking.experiments.create({ name: "runs-hydration" });
      const awkward = [
        0.1,
        1 / 3,
        2 / 3,
        5e-324,
        1.7976931348623157e308,
        -2.2250738585072014e-308,
        123456789.12345679,
        1e21,
        -1e-7,
        2 ** 53 + 2,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
      ];
      const want = new Map<string, Run>();
      for (let i = 0; i < 25; i++) {
        const run = await tracking.runs.create({ experimentId: exp, startTime: 5_000 + i });
        await tracking.runs.logBatch(run.info.runId, {
          // Some runs have no metrics, params or tags of their own (only mlflow.runName).
          metrics: awkward
            .slice(0, i % 4 === 0 ? 0 : (i % awkward.length) + 1)
            .map((value, k) => ({ key: `m${k}`, value, timestamp: 2 ** 50 + k, step: k })),
          params: i % 3 === 0 ? [] : [{ key: "quote", value: `it's "p${i}" \\ ✓\n` }],
          tags: [{ key: "n", value: String(i) }],
        });
        want.set(run.info.runId, await tracking.runs.get(run.info.runId));
      }
      const byKey = <T extends { key: string }>(items: T[]) =>
        [...items].sort((a, b) => (a.key < b.key ? -1 : 1));
      const normalise = (r: Run) => ({
        info: r.info,
        data: {
          metrics: byKey(r.data.metrics),
          params: byKey(r.data.params),
          tags: byKey(r.data.tags),
        },
      });
      const page = await tracking.runs.search({ experimentIds: [exp], maxResults: 1000 });
      assert.equal(page.items.length, 25);
      for (const run of page.items) {
        assert.deepEqual(normalise(run), normalise(want.get(run.info.runId)!));
      }
      for (const run of page.items) {
        for (const m of run.data.metrics) assert.equal(m.value, awkward[Number(m.key.slice(1))]);
      }
      // Ordered by a param, then by a tag: runs lacking the key come last.
      const byParam = await tracking.runs.search({
        experimentIds: [exp],
        orderBy: ["params.quote DESC"],
      });
      const quotes = byParam.items.map((r) => r.data.params[0]?.value);
      const present = quotes.filter((q) => q !== undefined);
      assert.equal(present.length, 16);
      assert.deepEqual(present, [...present].sort().reverse());
      const byTag = await tracking.runs.search({ experimentIds: [exp], orderBy: ["tags.n ASC"] });
      assert.deepEqual(
        byTag.items.map((r) => r.data.tags.find((t) => t.key === "n")?.value),
        Array.from({ length: 25 }, (_, i) => String(i)).sort(),
      );
    });

    test("runs: tags overwrite, delete-tag, deleted runs refuse writes", async () => {
      const exp = await tracking.experiments.create({ name: "runs-tags" });
      const { runId } = (await tracking.runs.create({ experimentId: exp })).info;
      await tracking.runs.logBatch(runId, { tags: [{ key: "stage", value: "dev" }] });
      await tracking.runs.logBatch(runId, { tags: [{ key: "stage", value: "prod" }] });
      assert.equal(
        (await tracking.runs.get(runId)).data.tags.find((t) => t.key === "stage")?.value,
        "prod",
      );
      await tracking.runs.deleteTag(runId, "stage");
      await rejectsWith(tracking.runs.deleteTag(runId, "stage"), "INVALID_ARGUMENT", "key");
      await tracking.runs.logBatch(runId, { tags: [{ key: "mlflow.runName", value: "via-tag" }] });
      assert.equal((await tracking.runs.get(runId)).info.runName, "via-tag");
      await tracking.runs.delete(runId);
      await rejectsWith(
        tracking.runs.logBatch(runId, { metrics: [{ key: "m", value: 1, timestamp: 1, step: 0 }] }),
        "TRACKING_RUN_NOT_ACTIVE",
        "run_id",
      );
      assert.equal((await tracking.runs.search({ experimentIds: [exp] })).items.length, 0);
      assert.equal(
        (await tracking.runs.search({ experimentIds: [exp], runViewType: "DELETED_ONLY" })).items
          .length,
        1,
      );
      await tracking.runs.restore(runId);
      assert.equal((await tracking.runs.search({ experimentIds: [exp] })).items.length, 1);
    });

    test("run search agrees with a brute-force filter on random runs", async () => {
      const exp = await tracking.experiments.create({ name: "runs-oracle" });
      let seed = 7;
      const rand = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };
      const runs: Run[] = [];
      for (let i = 0; i < 40; i++) {
        const run = await tracking.runs.create({
          experimentId: exp,
          runName: `r${i}`,
          startTime: 1_000 + Math.floor(rand() * 50),
        });
        const metrics = ["auc", "loss"]
          .filter(() => rand() < 0.8)
          .map((key) => ({ key, value: Math.round(rand() * 100) / 100, timestamp: 1, step: 0 }));
        const params =
          rand() < 0.9
            ? [{ key: "model", value: ["gbdt", "linear", "GBDT"][Math.floor(rand() * 3)]! }]
            : [];
        const tags = [{ key: "team", value: rand() < 0.5 ? "risk-a" : "growth" }];
        await tracking.runs.logBatch(run.info.runId, { metrics, params, tags });
        if (rand() < 0.3) await tracking.runs.update(run.info.runId, { status: "FINISHED" });
        runs.push(await tracking.runs.get(run.info.runId));
      }
      const metric = (r: Run, k: string) => r.data.metrics.find((m) => m.key === k)?.value;
      const param = (r: Run, k: string) => r.data.params.find((m) => m.key === k)?.value;
      const tag = (r: Run, k: string) => r.data.tags.find((m) => m.key === k)?.value;
      const cases: Array<[string, (r: Run) => boolean]> = [
        ["metrics.auc > 0.5", (r) => (metric(r, "auc") ?? Number.NaN) > 0.5],
        [
          "metrics.auc <= 0.3 AND metrics.loss != 0.5",
          (r) =>
            (metric(r, "auc") ?? Number.NaN) <= 0.3 &&
            metric(r, "loss") !== undefined &&
            metric(r, "loss") !== 0.5,
        ],
        ["params.model = 'gbdt'", (r) => param(r, "model") === "gbdt"],
        [
          "params.model != 'gbdt'",
          (r) => param(r, "model") !== undefined && param(r, "model") !== "gbdt",
        ],
        ["params.model LIKE 'g%'", (r) => param(r, "model")?.startsWith("g") === true],
        [
          "params.model ILIKE 'g%'",
          (r) => param(r, "model")?.toLowerCase().startsWith("g") === true,
        ],
        [
          "tags.team LIKE '%risk%' and attributes.status = 'FINISHED'",
          (r) => tag(r, "team")?.includes("risk") === true && r.info.status === "FINISHED",
        ],
        [
          `attributes.run_id IN ('${runs[1]!.info.runId}', '${runs[30]!.info.runId}')`,
          (r) => r.info.runId === runs[1]!.info.runId || r.info.runId === runs[30]!.info.runId,
        ],
        ["attributes.run_name = 'r7'", (r) => r.info.runName === "r7"],
        ["attributes.start_time >= 1025", (r) => r.info.startTime >= 1025],
      ];
      for (const [filter, predicate] of cases) {
        const got = await tracking.runs.search({ experimentIds: [exp], filter, maxResults: 1000 });
        const want = runs
          .filter(predicate)
          .map((r) => r.info.runId)
          .sort();
        assert.deepEqual(got.items.map((r) => r.info.runId).sort(), want, filter);
      }
      // Order by a metric descending: values descending, runs without it last.
      const ordered = await tracking.runs.search({
        experimentIds: [exp],
        orderBy: ["metrics.auc DESC"],
        maxResults: 1000,
      });
      const values = ordered.items.map((r) => metric(r, "auc"));
      const present = values.filter((v) => v !== undefined) as number[];
      assert.deepEqual(
        present,
        [...present].sort((a, b) => b - a),
      );
      assert.ok(values.slice(present.length).every((v) => v === undefined));
      // Pages of 7 cover every run exactly once, in the same order as one big page.
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await tracking.runs.search({
          experimentIds: [exp],
          orderBy: ["metrics.auc DESC"],
          maxResults: 7,
          pageToken: token,
        });
        seen.push(...page.items.map((r) => r.info.runId));
        token = page.nextPageToken;
      } while (token !== undefined);
      assert.deepEqual(
        seen,
        ordered.items.map((r) => r.info.runId),
      );
      await rejectsWith(
        tracking.runs.search({ experimentIds: [exp], filter: "metrics.auc >" }),
        "TRACKING_INVALID_FILTER",
        "filter",
      );
      await rejectsWith(
        tracking.runs.search({
          experimentIds: [exp],
          filter: "metrics.auc > 1 OR metrics.auc < 0",
        }),
        "TRACKING_INVALID_FILTER",
      );
    });
  });
}
