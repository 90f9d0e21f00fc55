import type { FieldChange } from "./diff-spec.ts";
import type { RegistrySnapshot } from "./registry-object.ts";
import type { RegistryObjectKind } from "./registry-spec.ts";

/**
 * Why a change would break what is already applied, as sentences; empty when it is safe.
 * Breaking means a consumer of the applied registry stops working or silently reads
 * something else: a feature's type changes, a join key changes, or a feature, view or
 * service that an applied feature service (a deployed model) reads goes away.
 *
 * Descriptions, owners, tags, ttl, sources, online/offline flags, added features and
 * edited transforms are changes, not breaking ones: they show in the plan and apply freely.
 *
 * @example
 * breakingReasons("featureView", "trips", "change",
 *   [{ path: "features.rating", before: "float64", after: "string" }], snapshot);
 * // ["feature 'rating' changes type from float64 to string"]
 */
export function breakingReasons(
  kind: RegistryObjectKind,
  name: string,
  action: "add" | "change" | "remove",
  fields: readonly FieldChange[],
  snapshot: RegistrySnapshot,
): string[] {
  if (action === "add") return [];
  if (action === "remove") return removalReasons(kind, name, snapshot);
  const reasons: string[] = [];
  for (const f of fields) {
    if (f.path === "joinKeys") {
      reasons.push(`join keys change from ${list(f.before)} to ${list(f.after)}`);
      continue;
    }
    const feature = /^(features|schema)\.(.+)$/.exec(f.path)?.[2];
    if (feature === undefined || kind === "entity") continue;
    if (f.before !== undefined && f.after !== undefined) {
      const what = kind === "pushSource" ? "column" : "feature";
      reasons.push(`${what} '${feature}' changes type from ${f.before} to ${f.after}`);
    } else if (f.before !== undefined) {
      reasons.push(...lostFeatureReasons(kind, name, feature, snapshot));
    }
  }
  return reasons;
}

function lostFeatureReasons(
  kind: RegistryObjectKind,
  name: string,
  feature: string,
  snapshot: RegistrySnapshot,
): string[] {
  switch (kind) {
    case "featureService":
      return [`no longer returns '${feature}', which models trained on it read`];
    case "pushSource":
      return [`column '${feature}' is removed, so rows pushed with it would be refused`];
    default: {
      const readers = servicesReading(snapshot, (ref) => ref === `${name}:${feature}`);
      return readers.length === 0
        ? []
        : [
            `feature '${feature}' is removed but ${servicesPhrase(readers)} ${readers.length === 1 ? "reads" : "read"} it`,
          ];
    }
  }
}

function removalReasons(
  kind: RegistryObjectKind,
  name: string,
  snapshot: RegistrySnapshot,
): string[] {
  switch (kind) {
    case "featureService":
      return ["is removed; models deployed with it would lose their features"];
    case "pushSource":
      return ["is removed; producers pushing to it would be refused"];
    case "entity":
      return [];
    default: {
      const readers = servicesReading(snapshot, (ref) => ref.startsWith(`${name}:`));
      return readers.length === 0
        ? []
        : [
            `is removed but ${servicesPhrase(readers)} ${readers.length === 1 ? "reads" : "read"} it`,
          ];
    }
  }
}

/** Applied services that read a `view:feature` matching `matches`, directly or through an applied on-demand view. */
function servicesReading(snapshot: RegistrySnapshot, matches: (ref: string) => boolean): string[] {
  const readers: string[] = [];
  for (const [service, object] of snapshot.active.featureService) {
    const reads = Object.keys(object.spec.features).some((ref) => {
      if (matches(ref)) return true;
      const odfv = snapshot.active.onDemandFeatureView.get(ref.slice(0, ref.indexOf(":")));
      return odfv !== undefined && Object.keys(odfv.spec.viewInputs).some(matches);
    });
    if (reads) readers.push(service);
  }
  return readers.sort();
}

function servicesPhrase(services: readonly string[]): string {
  const quoted = services.map((s) => `'${s}'`);
  return `feature service${services.length === 1 ? "" : "s"} ${quoted.join(", ")}`;
}

function list(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(", ")}]` : String(value);
}
