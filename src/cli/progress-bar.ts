/** A progress bar on stderr for long commands. */
export interface ProgressBar {
  /** Reports `done` of `total` units with an optional status text (e.g. the latest metric). */
  update(done: number, status?: string): void;
  /** Clears the bar's line. */
  finish(): void;
}

/**
 * Redraws one line in place on a terminal; elsewhere (CI logs, pipes) prints a line at each
 * tenth of the work so logs stay short. `--json` runs pass `enabled: false`.
 *
 * @example
 * const bar = createProgressBar({ label: "training", total: 200 });
 * bar.update(10, "valid auc 0.93");
 */
export function createProgressBar(options: {
  label: string;
  total: number;
  /** Where the bar goes: raw text, no newline added (default: process.stderr). */
  stream?: { write(text: string): unknown; readonly isTTY?: boolean };
  enabled?: boolean;
}): ProgressBar {
  const { label, total } = options;
  const stream = options.stream ?? process.stderr;
  const write = (text: string) => stream.write(text);
  const terminal = stream.isTTY === true;
  if (options.enabled === false || total <= 0) return { update() {}, finish() {} };
  const started = Date.now();
  let lastDecile = -1;
  let lastDraw = 0;
  return {
    update(done, status = "") {
      const fraction = Math.min(1, done / total);
      const elapsed = (Date.now() - started) / 1000;
      const eta = fraction > 0 ? elapsed * (1 / fraction - 1) : 0;
      const text = `${label} ${done}/${total} ${status} ${elapsed.toFixed(0)}s elapsed, ~${eta.toFixed(0)}s left`;
      if (terminal) {
        if (Date.now() - lastDraw < 100 && done < total) return;
        lastDraw = Date.now();
        const width = 30;
        const filled = Math.round(fraction * width);
        write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${text}\x1b[K`);
        return;
      }
      const decile = Math.floor(fraction * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        write(`${text}\n`);
      }
    },
    finish() {
      if (terminal) write("\r\x1b[K");
    },
  };
}
