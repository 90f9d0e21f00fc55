import { invalidArgument } from "../../core/errors.ts";
import type { RegistryObject } from "../../features/registry/registry-object.ts";
import {
  KIND_LABELS,
  REGISTRY_KINDS,
  type RegistryObjectKind,
  type SourceSpec,
} from "../../features/registry/registry-spec.ts";
import { withPlatform } from "../command.ts";
import { emit } from "../output.ts";
import { formatTime, renderTable } from "../table.ts";
import type { FeaturesVerb } from "./features.ts";
import { sourceText } from "./features-list.ts";

/** Short --kind spellings, besides the kind names themselves. */
const KIND_ALIASES: Readonly<Record<string, RegistryObjectKind>> = {
  view: "featureView",
  "on-demand": "onDemandFeatureView",
  service: "featureService",
  "push-source": "pushSource",
};

/** How spec fields are labelled. */
const LABELS: Readonly<Record<string, string>> = {
  joinKeys: "join keys",
  batchSource: "batch source",
  ttlSeconds: "ttl",
  transformHash: "transform",
};

/** Spec fields that map names to types, shown as tables under these headings. */
const TYPED_MAPS: Readonly<Record<string, string>> = {
  features: "FEATURE",
  schema: "COLUMN",
  viewInputs: "VIEW INPUT",
  requestInputs: "REQUEST INPUT",
};

/** `plinth features describe NAME[@vN]`: one object in full, and its versions. */
export const featuresDescribeVerb: FeaturesVerb = {
  usage: `plinth features describe NAME[@vN] [--kind view|on-demand|service|entity|push-source] [--json]
        one applied object in full: its definition, which services read its features, and
        its versions. NAME@v1 shows an older version.`,
  options: { kind: { type: "string" } },

  async run(args, values, io) {
    const [ref, ...extra] = args;
    if (ref === undefined)
      throw invalidArgument("name", "is required: plinth features describe NAME");
    if (extra.length > 0) throw invalidArgument("describe", `unexpected argument '${extra[0]}'`);
    const match = /^([^@]+)(?:@v(\d+))?$/.exec(ref);
    if (match === null) throw invalidArgument("name", `expected NAME or NAME@vN, got '${ref}'`);
    const name = match[1]!;
    const version = match[2] === undefined ? undefined : Number(match[2]);
    const kind = kindOption(values.kind);
    const { objects, readers } = await withPlatform(values, async (platform) => {
      const found = await platform.featureRegistry.lookup(name, {
        ...(kind === undefined ? {} : { kind }),
        ...(version === undefined ? {} : { version }),
      });
      return {
        objects: found,
        readers: servicesByFeature((await platform.featureRegistry.list()).objects),
      };
    });
    emit(io, { name, objects }, () =>
      REGISTRY_KINDS.filter((k) => objects.some((o) => o.kind === k))
        .map((k) => {
          const versions = objects.filter((o) => o.kind === k);
          return [
            describeObject(versions[0]!, readers),
            "",
            `  versions: ${versions.map((o) => `v${o.version} ${o.status}`).join(", ")}`,
          ].join("\n");
        })
        .join("\n\n"),
    );
    return 0;
  },
};

function kindOption(value: unknown): RegistryObjectKind | undefined {
  if (value === undefined) return undefined;
  const kind = KIND_ALIASES[String(value)] ?? String(value);
  if (!REGISTRY_KINDS.includes(kind as RegistryObjectKind)) {
    throw invalidArgument(
      "kind",
      `expected one of ${[...Object.keys(KIND_ALIASES), "entity"].join(", ")}, got '${String(value)}'`,
    );
  }
  return kind as RegistryObjectKind;
}

/** `view:feature` -> the applied services that return it. */
function servicesByFeature(objects: readonly RegistryObject[]): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  for (const o of objects) {
    if (o.kind !== "featureService") continue;
    for (const ref of Object.keys((o.spec as { features: object }).features)) {
      readers.set(ref, [...(readers.get(ref) ?? []), o.name]);
    }
  }
  return readers;
}

function describeObject(o: RegistryObject, readers: ReadonlyMap<string, string[]>): string {
  const lines = [
    `${KIND_LABELS[o.kind]} ${o.name}@v${o.version} (${o.status})`,
    `  created:      revision ${o.createdRevision}, ${formatTime(o.createdAt)} UTC`,
    `  updated:      revision ${o.updatedRevision}, ${formatTime(o.updatedAt)} UTC`,
  ];
  const tables: string[] = [];
  for (const [field, value] of Object.entries(o.spec as unknown as Record<string, unknown>)) {
    const heading = TYPED_MAPS[field];
    if (heading !== undefined) {
      const rows = Object.entries(value as Record<string, string>).map(([n, type]) => {
        const ref = o.kind === "featureService" ? n : `${o.name}:${n}`;
        return [n, type, (readers.get(ref) ?? []).join(", ")];
      });
      const readBy = o.kind === "featureView" || o.kind === "onDemandFeatureView";
      tables.push(
        renderTable(
          [heading, "TYPE", ...(readBy && field === "features" ? ["READ BY"] : [])],
          rows.map((r) => (readBy && field === "features" ? r : r.slice(0, 2))),
        )
          .split("\n")
          .map((l) => `  ${l}`)
          .join("\n"),
      );
      continue;
    }
    lines.push(`  ${`${LABELS[field] ?? field}:`.padEnd(14)}${fieldText(field, value)}`.trimEnd());
  }
  return [...lines, ...tables.map((t) => `\n${t}`)].join("\n");
}

function fieldText(field: string, value: unknown): string {
  if (field === "source" || field === "batchSource") {
    const s = value as SourceSpec | { pushSource: string };
    if ("pushSource" in s) return sourceText(s);
    const times = `event time ${s.timestampField}${s.createdTimestampField === null ? "" : `, created time ${s.createdTimestampField}`}`;
    return `${s.name}: ${sourceText(s)} (${times})`;
  }
  if (Array.isArray(value)) return value.join(", ");
  if (value !== null && typeof value === "object") {
    return Object.entries(value)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(", ");
  }
  if (field === "ttlSeconds") return value === 0 ? "none (values never expire)" : `${value} s`;
  if (field === "transformHash") return `sha256 ${String(value).slice(0, 16)}… of its source text`;
  return typeof value === "boolean" ? (value ? "yes" : "no") : String(value);
}
