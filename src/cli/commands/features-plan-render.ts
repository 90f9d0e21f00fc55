import type { FieldChange } from "../../features/registry/diff-spec.ts";
import type { RegistryChange } from "../../features/registry/registry-plan.ts";
import { KIND_LABELS } from "../../features/registry/registry-spec.ts";

const SIGN = { add: "+", change: "~", remove: "-" } as const;
const LONGEST_VALUE = 60;

/**
 * A plan (or an applied change list) for a person: one line per object, its changed
 * fields under it, and `!` lines saying why a change is breaking.
 *
 * @example
 * io.stdout(renderChanges(plan.changes));
 */
export function renderChanges(changes: readonly RegistryChange[]): string {
  const width = Math.max(...changes.map((c) => `${KIND_LABELS[c.kind]} ${c.name}`.length));
  const lines: string[] = [];
  for (const c of changes) {
    const versions =
      c.action === "add"
        ? `v${c.toVersion}`
        : c.action === "remove"
          ? `v${c.fromVersion}`
          : c.toVersion === c.fromVersion
            ? `v${c.fromVersion}`
            : `v${c.fromVersion} -> v${c.toVersion}`;
    const flag = c.breaking.length > 0 ? "  BREAKING" : "";
    lines.push(
      `  ${SIGN[c.action]} ${`${KIND_LABELS[c.kind]} ${c.name}`.padEnd(width)}  ${versions}${flag}`,
    );
    for (const f of c.fields) lines.push(`      ${renderField(f)}`);
    for (const reason of c.breaking) lines.push(`      ! ${reason}`);
  }
  return lines.join("\n");
}

/** A one-line count: "3 changes (1 add, 1 change, 1 removal), 1 breaking". */
export function summarizeChanges(changes: readonly RegistryChange[]): string {
  const count = (action: RegistryChange["action"]) =>
    changes.filter((c) => c.action === action).length;
  const parts = [
    [count("add"), "add", "adds"],
    [count("change"), "change", "changes"],
    [count("remove"), "removal", "removals"],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, one, many]) => `${n} ${n === 1 ? one : many}`);
  const breaking = changes.filter((c) => c.breaking.length > 0).length;
  return `${changes.length} change${changes.length === 1 ? "" : "s"} (${parts.join(", ")})${breaking > 0 ? `, ${breaking} breaking` : ""}`;
}

function renderField(f: FieldChange): string {
  if (f.before === undefined) return `+ ${f.path}: ${value(f.after)}`;
  if (f.after === undefined) return `- ${f.path}: ${value(f.before)}`;
  return `${f.path}: ${value(f.before)} -> ${value(f.after)}`;
}

function value(v: unknown): string {
  const text = typeof v === "string" ? v : JSON.stringify(v);
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length > LONGEST_VALUE ? `${oneLine.slice(0, LONGEST_VALUE - 1)}…` : oneLine;
}
