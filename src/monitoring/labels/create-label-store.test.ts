import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { metadataBackends } from "../../metadata/testing/metadata-backends.ts";
import { makeRecord } from "../../serving/prediction-log/testing/make-record.ts";
import { createLabelStore } from "./create-label-store.ts";
import { ingestLabelFile } from "./ingest-label-file.ts";

const T0 = Date.UTC(2026, 11, 6, 10);
const dir = mkdtempSync(join(tmpdir(), "plinth-labels-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const invalidLabel = (field: string) => (e: unknown) =>
  isPlinthError(e, "MONITORING_INVALID_LABEL") && e.field === field;

for (const backend of metadataBackends()) {
  describe(`label store: ${backend.name}`, () => {
    let opened: Awaited<ReturnType<typeof backend.open>>;
    before(async () => {
      opened = await backend.open();
    });
    after(() => opened.cleanup());

    test("ingest is idempotent per request id: a re-sent label replaces and is counted", async () => {
      const labels = createLabelStore(opened.store);
      const first = await labels.ingest("idem", [
        { requestId: "r1", label: 1 },
        { requestId: "r2", label: 0 },
        { entities: { user_id: 7 }, at: T0, label: 1 },
      ]);
      assert.deepEqual(first, {
        received: 3,
        inserted: 3,
        replaced: 0,
        byRequestId: 2,
        byEntity: 1,
      });
      const second = await labels.ingest("idem", [
        { request_id: "r1", label: 0 },
        { requestId: "r3", label: 1 },
        { requestId: "r3", label: 0 },
        { entities: { user_id: 7 }, at: T0, label: 0 },
      ]);
      assert.deepEqual(second, {
        received: 4,
        inserted: 1,
        replaced: 3,
        byRequestId: 3,
        byEntity: 1,
      });
      assert.equal(await labels.count("idem"), 4);
      assert.equal(await labels.count("other"), 0);
      const joined = await labels.join("idem", [makeRecord(1, T0), makeRecord(3, T0)]);
      assert.deepEqual([...joined.label], [0, 0]);
    });

    test("labels join by request id, then by entity and time to the latest prediction at or before it", async () => {
      const labels = createLabelStore(opened.store);
      const records = [
        { ...makeRecord(10, T0), entities: { user_id: 1 } },
        { ...makeRecord(11, T0 + 1000), entities: { user_id: 1 } },
        { ...makeRecord(12, T0 + 2000), entities: { user_id: 2 } },
        { ...makeRecord(13, T0 + 3000), entities: { user_id: 3 } },
      ];
      await labels.ingest("join", [
        { requestId: "r10", label: 1 },
        { entities: { user_id: 1 }, at: T0 + 1500, label: 0 }, // -> r11
        { entities: { user_id: 2 }, at: T0 + 2000, label: 1 }, // -> r12 (at, inclusive)
        { entities: { user_id: 3 }, at: T0 + 2999, label: 1 }, // before r13: unmatched
        { entities: { user_id: 9 }, at: T0 + 100, label: 1 }, // unknown entity: unmatched
        { requestId: "nobody", label: 1, labelledAt: T0 + 10 }, // unknown id: stored, unmatched
      ]);
      const window = { from: T0, to: T0 + 4000 };
      const joined = await labels.join("join", records, window);
      assert.deepEqual([...joined.label].map(String), ["1", "0", "1", "NaN"]);
      assert.equal(joined.matched, 3);
      assert.equal(joined.unmatched, 2);
      const coverage = await labels.coverage("join", window, records);
      assert.equal(coverage.predictions, 4);
      assert.equal(coverage.labelled, 3);
      assert.equal(coverage.coverage, 0.75);
      assert.equal(coverage.unmatched, 3);
      assert.ok(coverage.unmatchedSample.includes("nobody"));
      assert.deepEqual(coverage.byVariant, {
        champion: { predictions: 3, labelled: 2 },
        challenger: { predictions: 1, labelled: 1 },
      });
      const empty = await labels.coverage("join", { from: 0, to: 1 }, []);
      assert.equal(empty.coverage, null);
    });

    test("bad labels are refused naming the row, and nothing of the batch is stored", async () => {
      const labels = createLabelStore(opened.store);
      const good = { requestId: "ok", label: 1 };
      for (const [row, field] of [
        [{ requestId: "x", label: Number.NaN }, "labels[1].label"],
        [{ requestId: "x", label: Number.POSITIVE_INFINITY }, "labels[1].label"],
        [{ requestId: "x", label: "1" }, "labels[1].label"],
        [{ requestId: "x" }, "labels[1].label"],
        [{ requestId: "", label: 1 }, "labels[1].requestId"],
        [{ requestId: "x".repeat(10_000), label: 1 }, "labels[1].requestId"],
        [{ requestId: 5, label: 1 }, "labels[1].requestId"],
        [{ label: 1 }, "labels[1].requestId"],
        [{ entities: { u: 1 }, label: 1 }, "labels[1].at"],
        [{ entities: { u: 1 }, at: Number.NaN, label: 1 }, "labels[1].at"],
        [{ entities: {}, at: 1, label: 1 }, "labels[1].entities"],
        [{ entities: { u: { nested: 1 } }, at: 1, label: 1 }, "labels[1].entities.u"],
        [{ entities: { u: 1 }, requestId: "x", at: 1, label: 1 }, "labels[1].entities"],
        [{ requestId: "x", label: 1, labelledAt: -5 }, "labels[1].labelledAt"],
        [{ requestId: "x", label: 1, __proto__x: 1 }, "labels[1].__proto__x"],
        [null, "labels[1]"],
        [[1], "labels[1]"],
      ] as const) {
        await assert.rejects(labels.ingest("bad", [good, row]), invalidLabel(field));
      }
      await assert.rejects(labels.ingest("bad", "nope" as never), invalidLabel("labels"));
      await assert.rejects(
        labels.ingest(
          "bad",
          Array.from({ length: 100_001 }, () => good),
        ),
        invalidLabel("labels"),
      );
      await assert.rejects(labels.ingest("../x", [good]), (e: unknown) =>
        isPlinthError(e, "INVALID_ARGUMENT"),
      );
      assert.equal(await labels.count("bad"), 0);
    });

    test("label files: NDJSON, CSV by request id, CSV by entity and time; a bad row stores nothing", async () => {
      const labels = createLabelStore(opened.store);
      const ndjson = join(dir, `${backend.name}-labels.ndjson`);
      writeFileSync(
        ndjson,
        '{"requestId":"a","label":1}\n\n{"requestId":"b","label":0,"labelledAt":5}\n',
      );
      assert.equal((await ingestLabelFile(labels, "files", ndjson)).received, 2);
      const csv = join(dir, `${backend.name}-labels.csv`);
      writeFileSync(csv, "request_id,label\nc,1\nd,0\na,0\n");
      assert.deepEqual(await ingestLabelFile(labels, "files", csv), {
        received: 3,
        inserted: 2,
        replaced: 1,
        byRequestId: 3,
        byEntity: 0,
      });
      const byEntity = join(dir, `${backend.name}-entity.csv`);
      writeFileSync(byEntity, `user_id,event_ms,label\n1,${T0},1\n2,${T0 + 5},0\n`);
      const result = await ingestLabelFile(labels, "files", byEntity, {
        entities: ["user_id"],
        time: "event_ms",
      });
      assert.equal(result.byEntity, 2);
      const joined = await labels.join(
        "files",
        [{ ...makeRecord(0, T0 - 1), entities: { user_id: 1 } }],
        {
          from: T0 - 1,
          to: T0 + 10,
        },
      );
      assert.deepEqual([...joined.label], [1]);
      assert.equal(await labels.count("files"), 6);

      const badCsv = join(dir, `${backend.name}-bad.csv`);
      writeFileSync(badCsv, "request_id,label\ne,1\nf,\n");
      await assert.rejects(
        ingestLabelFile(labels, "files", badCsv),
        invalidLabel("labels[1].label"),
      );
      const badJson = join(dir, `${backend.name}-bad.ndjson`);
      writeFileSync(badJson, '{"requestId":"g","label":1}\n{oops\n');
      await assert.rejects(ingestLabelFile(labels, "files", badJson), invalidLabel("line 2"));
      const noId = join(dir, `${backend.name}-noid.csv`);
      writeFileSync(noId, "id,label\nh,1\n");
      await assert.rejects(ingestLabelFile(labels, "files", noId), invalidLabel("requestId"));
      await assert.rejects(
        ingestLabelFile(labels, "files", csv, { label: "missing" }),
        invalidLabel("label"),
      );
      assert.equal(await labels.count("files"), 6);
    });
  });
}
