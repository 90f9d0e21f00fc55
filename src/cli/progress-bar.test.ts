import assert from "node:assert/strict";
import { test } from "node:test";
import { createProgressBar } from "./progress-bar.ts";

function capture(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (text: string) => written.push(text) } };
}

test("off a terminal, a line at the start and at each tenth of the work, each ending in a newline", () => {
  const { written, stream } = capture(false);
  const bar = createProgressBar({ label: "training", total: 200, stream });
  for (let i = 1; i <= 200; i++) bar.update(i, `valid auc ${i}`);
  bar.finish();
  assert.equal(written.length, 11);
  for (const line of written) assert.match(line, /^training \d+\/200 valid auc \d+ .*\n$/);
  assert.match(written.at(-1) ?? "", /^training 200\/200/);
});

test("on a terminal, redraws one line in place and clears it at the end", () => {
  const { written, stream } = capture(true);
  const bar = createProgressBar({ label: "rows", total: 10, stream });
  bar.update(10);
  bar.finish();
  assert.ok(written.every((text) => !text.includes("\n")));
  assert.match(written[0] ?? "", /^\r\[#{30}\] rows 10\/10/);
  assert.equal(written.at(-1), "\r\x1b[K");
});

test("disabled (--json) or empty work writes nothing", () => {
  const { written, stream } = capture(true);
  createProgressBar({ label: "x", total: 5, stream, enabled: false }).update(5);
  createProgressBar({ label: "x", total: 0, stream }).update(0);
  assert.deepEqual(written, []);
});
