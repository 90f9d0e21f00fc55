import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { fitCbpe } from "../performance/cbpe.ts";
import { computePerformance } from "../performance/compute-performance.ts";
import { categorical, numeric } from "../testing/columns.ts";
import { buildMonitoringReport } from "./monitoring-report.ts";
import { renderReportHtml } from "./render-report-html.ts";

const HOSTILE = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">"'&`;
const HOUR = 3_600_000;

function sampleReport() {
  const rng = createSeededRandom(31);
  const n = 1500;
  const normal = (shift: number) =>
    Float64Array.from({ length: n }, () => {
      let s = 0;
      for (let i = 0; i < 12; i++) s += rng.next();
      return s - 6 + shift;
    });
  const score = Float64Array.from({ length: n }, () => rng.next());
  const label = Float64Array.from(score, (p, i) =>
    i < n / 2 ? (rng.next() < p ? 1 : 0) : Number.NaN,
  );
  const timestamp = Float64Array.from(
    { length: n },
    (_, i) => Date.UTC(2024, 0, 1) + Math.floor((i / n) * 12) * HOUR,
  );
  const merchants = (skew: number) =>
    Array.from({ length: n }, () => `m${Math.floor(rng.next() ** skew * 25)}`);
  const reference = [
    numeric("amount", normal(0)),
    numeric(HOSTILE, normal(0)),
    categorical("merchant", merchants(1)),
    numeric("score", score),
  ];
  const current = [
    numeric("amount", normal(0.6)),
    numeric(HOSTILE, normal(0)),
    categorical("merchant", [...merchants(2).slice(1), HOSTILE]),
    numeric("score", score),
  ];
  const performance = computePerformance({
    task: "binary",
    prediction: score,
    label,
    timestamp,
    windowMs: HOUR,
    cbpe: fitCbpe(score.subarray(0, 500), label.subarray(0, 500)),
  });
  return buildMonitoringReport({
    reference,
    current,
    prediction: "score",
    performance,
    title: `Report for ${HOSTILE}`,
    referenceName: "train.csv",
    currentName: HOSTILE,
    now: new Date(Date.UTC(2024, 0, 2)),
  });
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "plinth-report-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("the report is JSON: every field survives a round trip", () => {
  const report = sampleReport();
  const back = JSON.parse(JSON.stringify(report));
  assert.equal(back.format, "plinth-monitoring-report");
  assert.equal(back.drift.columns.length, 4);
  assert.equal(back.performance.overall.length, 12);
  assert.equal(back.distributions.length, 4);
});

test("hostile strings are escaped everywhere in the HTML", () => {
  const html = renderReportHtml(sampleReport());
  assert.ok(!html.includes("<script"), "no script element");
  assert.ok(!html.includes("<img"), "no img element");
  assert.ok(html.includes("&lt;script&gt;window.__pwned = 1&lt;/script&gt;"));
});

test("the report renders in headless Chromium with its plots and no errors", async () => {
  const path = join(dir, "report.html");
  writeFileSync(path, renderReportHtml(sampleReport()));
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
    ],
  });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("dialog", (d) => problems.push(`dialog: ${d.message()}`));
    const requests: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith("file:")) requests.push(r.url());
    });
    await page.goto(pathToFileURL(path).href, { waitUntil: "load" });
    // A string, evaluated in the page: the test's TypeScript has no DOM types.
    const found = (await page.evaluate(`({
      driftBars: document.querySelectorAll('svg[data-plot="drift-scores"] rect').length,
      distributions: document.querySelectorAll('svg[data-plot="distribution"]').length,
      distributionBars: document.querySelectorAll('svg[data-plot="distribution"] rect').length,
      performanceLines: document.querySelectorAll('svg[data-plot="performance"] polyline').length,
      scripts: document.querySelectorAll("script").length,
      images: document.querySelectorAll("img").length,
      pwned: window.__pwned ?? 0,
      title: document.title,
      text: document.body.innerText,
    })`)) as {
      driftBars: number;
      distributions: number;
      distributionBars: number;
      performanceLines: number;
      scripts: number;
      images: number;
      pwned: number;
      title: string;
      text: string;
    };
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [], "the page loads nothing over the network");
    assert.equal(found.driftBars, 4);
    assert.equal(found.distributions, 4);
    assert.ok(found.distributionBars > 40);
    assert.ok(found.performanceLines >= 2, "realised and estimated AUC lines");
    assert.deepEqual(
      { scripts: found.scripts, images: found.images, pwned: found.pwned },
      { scripts: 0, images: 0, pwned: 0 },
    );
    assert.ok(found.title.includes("<script>"), "the hostile name shows as text");
    assert.ok(found.text.includes("Dataset drift"));
    const shot = await page.screenshot({ fullPage: true });
    assert.ok(shot.length > 10_000, "the page paints");
  } finally {
    await browser.close();
  }
});
