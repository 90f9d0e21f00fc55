import type { ColumnDrift } from "../drift/column-drift.ts";
import type { ColumnDistribution } from "./column-distribution.ts";
import { escapeHtml } from "./escape-html.ts";

// Inline SVG plots for the HTML report: plain strings, no script, every label escaped.

const REFERENCE_COLOUR = "#4c78a8";
const CURRENT_COLOUR = "#f58518";
const DRIFT_COLOUR = "#d62728";
const OK_COLOUR = "#54a24b";

/**
 * One bar per tested column showing how far its score is towards drift: distance / threshold
 * for distances, ln p / ln threshold for p-values, so the dashed line in the middle is the
 * threshold for every test and a longer bar is stronger drift (capped at twice the threshold).
 */
export function driftScoreChart(rows: readonly ColumnDrift[]): string {
  const tested = rows.filter((r) => r.status === "ok" && r.score !== null && r.threshold !== null);
  const rowHeight = 22;
  const label = 220;
  const width = 640;
  const barWidth = width - label - 20;
  const height = tested.length * rowHeight + 30;
  const bars = tested.map((r, i) => {
    const strength = driftStrength(r);
    const y = 10 + i * rowHeight;
    const w = (Math.min(strength, 2) / 2) * barWidth;
    const title = `${r.column}: ${r.stattest} ${formatNumber(r.score!)} (threshold ${r.threshold})${r.drifted ? ", drifted" : ""}`;
    return [
      `<text x="${label - 8}" y="${y + 14}" text-anchor="end" class="label">${escapeHtml(truncate(r.column, 32))}</text>`,
      `<rect x="${label}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${r.drifted ? DRIFT_COLOUR : OK_COLOUR}"><title>${escapeHtml(title)}</title></rect>`,
    ].join("");
  });
  const mid = label + barWidth / 2;
  return `<svg data-plot="drift-scores" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Drift score per column">
${bars.join("\n")}
<line x1="${mid}" x2="${mid}" y1="4" y2="${height - 22}" stroke="#333" stroke-dasharray="4 3"/>
<text x="${mid}" y="${height - 6}" text-anchor="middle" class="axis">threshold</text>
<text x="${label}" y="${height - 6}" class="axis">no drift</text>
<text x="${label + barWidth}" y="${height - 6}" text-anchor="end" class="axis">2× threshold</text>
</svg>`;
}

/** How far a score is towards drift: 1 at the threshold. */
export function driftStrength(row: ColumnDrift): number {
  const score = row.score!;
  const threshold = row.threshold!;
  if (row.scoreKind === "distance") return score / threshold;
  if (score <= 0) return Number.POSITIVE_INFINITY;
  return threshold >= 1
    ? score < 1
      ? Number.POSITIVE_INFINITY
      : 0
    : Math.log(score) / Math.log(threshold);
}

/** Reference and current shares over common bins (numeric) or categories, side by side. */
export function distributionChart(distribution: ColumnDistribution): string {
  const width = 320;
  const height = 170;
  const plotTop = 10;
  const plotBottom = distribution.kind === "categorical" ? 120 : 140;
  const left = 36;
  const right = width - 8;
  const n = distribution.reference.length;
  const top = Math.max(1e-12, ...distribution.reference, ...distribution.current);
  const slot = n === 0 ? 0 : (right - left) / n;
  const y = (share: number) => plotBottom - (share / top) * (plotBottom - plotTop);
  const bars: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = left + i * slot;
    const name = String(distribution.bins[i]);
    for (const [side, share, colour, offset] of [
      ["reference", distribution.reference[i]!, REFERENCE_COLOUR, 0],
      ["current", distribution.current[i]!, CURRENT_COLOUR, slot / 2],
    ] as const) {
      const title = `${side} ${distribution.kind === "numeric" ? `bin ${i + 1}` : name}: ${(share * 100).toFixed(1)}%`;
      bars.push(
        `<rect x="${(x + offset).toFixed(1)}" y="${y(share).toFixed(1)}" width="${Math.max(0.5, slot / 2 - 0.5).toFixed(1)}" height="${(plotBottom - y(share)).toFixed(1)}" fill="${colour}"><title>${escapeHtml(title)}</title></rect>`,
      );
    }
    if (distribution.kind === "categorical") {
      const cx = x + slot / 2;
      bars.push(
        `<text x="${cx.toFixed(1)}" y="${plotBottom + 8}" transform="rotate(45 ${cx.toFixed(1)} ${plotBottom + 8})" class="tick">${escapeHtml(truncate(name, 12))}</text>`,
      );
    }
  }
  const axis =
    distribution.kind === "numeric" && n > 0
      ? `<text x="${left}" y="${plotBottom + 14}" class="tick">${formatNumber(distribution.bins[0] as number)}</text><text x="${right}" y="${plotBottom + 14}" text-anchor="end" class="tick">${formatNumber(distribution.bins[n] as number)}</text>`
      : "";
  return `<svg data-plot="distribution" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(`Reference and current distribution of ${distribution.column}`)}">
<line x1="${left}" x2="${right}" y1="${plotBottom}" y2="${plotBottom}" stroke="#999"/>
<text x="4" y="${plotTop + 8}" class="tick">${(top * 100).toFixed(0)}%</text>
${bars.join("\n")}
${axis}
</svg>`;
}

/** A line per series over time windows; a null value breaks its line. */
export function lineChart(
  labels: readonly string[],
  series: readonly {
    readonly name: string;
    readonly values: readonly (number | null)[];
    readonly dashed?: boolean;
  }[],
  plot: string,
): string {
  const width = 640;
  const height = 220;
  const left = 40;
  const right = width - 160;
  const top = 10;
  const bottom = 180;
  const colours = [REFERENCE_COLOUR, CURRENT_COLOUR, OK_COLOUR, DRIFT_COLOUR, "#9467bd"];
  const x = (i: number) =>
    labels.length <= 1 ? (left + right) / 2 : left + (i / (labels.length - 1)) * (right - left);
  const y = (v: number) => bottom - Math.min(1, Math.max(0, v)) * (bottom - top);
  const lines = series.map((s, k) => {
    const segments: string[][] = [[]];
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) segments.push([]);
      else segments.at(-1)!.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    });
    const colour = colours[k % colours.length];
    const dash = s.dashed === true ? ' stroke-dasharray="5 3"' : "";
    const paths = segments
      .filter((p) => p.length > 0)
      .map((p) =>
        p.length === 1
          ? `<circle cx="${p[0]!.split(",")[0]}" cy="${p[0]!.split(",")[1]}" r="2.5" fill="${colour}"/>`
          : `<polyline points="${p.join(" ")}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`,
      );
    return `${paths.join("")}<text x="${right + 8}" y="${top + 14 + k * 16}" fill="${colour}" class="label">${escapeHtml(s.name)}</text>`;
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (v) =>
      `<line x1="${left}" x2="${right}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="${left - 4}" y="${y(v) + 4}" text-anchor="end" class="tick">${v}</text>`,
  );
  const every = Math.max(1, Math.ceil(labels.length / 6));
  const xTicks = labels
    .map((l, i) =>
      i % every === 0
        ? `<text x="${x(i).toFixed(1)}" y="${bottom + 16}" text-anchor="middle" class="tick">${escapeHtml(l)}</text>`
        : "",
    )
    .join("");
  return `<svg data-plot="${escapeHtml(plot)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Performance over time">
${ticks.join("")}
${lines.join("\n")}
${xTicks}
</svg>`;
}

/** A short, exact-enough rendering of a number for labels. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e6))
    return value.toExponential(3);
  return Number(value.toPrecision(4)).toString();
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
