import { invalidArgument } from "../../core/errors.ts";
import type { RegistryObject } from "../../features/registry/registry-object.ts";
import type {
  FeatureViewSpec,
  RegistryObjectKind,
  RegistrySpecByKind,
  SourceSpec,
} from "../../features/registry/registry-spec.ts";
import { withPlatform } from "../command.ts";
import { emit } from "../output.ts";
import { formatTime, renderTable } from "../table.ts";
import type { FeaturesVerb } from "./features.ts";

type Spec<K extends RegistryObjectKind> = RegistrySpecByKind[K];
type Columns<K extends RegistryObjectKind> = [string, (spec: Spec<K>) => string][];

const yes = (b: boolean) => (b ? "yes" : "no");
const count = (o: object) => String(Object.keys(o).length);

/** The table columns of each kind, after NAME and VERSION. */
const TABLES: { readonly [K in RegistryObjectKind]: { title: string; columns: Columns<K> } } = {
  entity: {
    title: "ENTITIES",
    columns: [
      ["JOIN KEYS", (s) => s.joinKeys.join(", ")],
      ["DESCRIPTION", (s) => s.description],
    ],
  },
  featureView: {
    title: "FEATURE VIEWS",
    columns: [
      ["ENTITIES", (s) => s.entities.join(", ")],
      ["FEATURES", (s) => count(s.features)],
      ["TTL", (s) => (s.ttlSeconds === 0 ? "none" : `${s.ttlSeconds}s`)],
      ["SOURCE", (s) => sourceText(s.source)],
      ["ONLINE", (s) => yes(s.online)],
      ["OFFLINE", (s) => yes(s.offline)],
      ["OWNER", (s) => s.owner],
    ],
  },
  onDemandFeatureView: {
    title: "ON-DEMAND FEATURE VIEWS",
    columns: [
      ["INPUTS", (s) => [...Object.keys(s.viewInputs), ...Object.keys(s.requestInputs)].join(", ")],
      ["FEATURES", (s) => Object.keys(s.features).join(", ")],
      ["OWNER", (s) => s.owner],
    ],
  },
  featureService: {
    title: "FEATURE SERVICES",
    columns: [
      ["FEATURES", (s) => count(s.features)],
      ["OWNER", (s) => s.owner],
      ["DESCRIPTION", (s) => s.description],
    ],
  },
  pushSource: {
    title: "PUSH SOURCES",
    columns: [
      ["COLUMNS", (s) => Object.keys(s.schema).join(", ")],
      ["BATCH SOURCE", (s) => sourceText(s.batchSource)],
    ],
  },
};

/** The list order: what people look for first. */
const ORDER: readonly RegistryObjectKind[] = [
  "featureView",
  "onDemandFeatureView",
  "featureService",
  "entity",
  "pushSource",
];

/** `plinth features list`: what is applied, as one table per kind. */
export const featuresListVerb: FeaturesVerb = {
  usage: `plinth features list [--json]
        the applied feature views, on-demand views, services, entities and push sources.`,
  options: {},

  async run(args, values, io) {
    if (args.length > 0) throw invalidArgument("list", `unexpected argument '${args[0]}'`);
    const { listing, last } = await withPlatform(values, async (platform) => ({
      listing: await platform.featureRegistry.list(),
      last: (await platform.featureRegistry.history({ limit: 1 }))[0],
    }));
    const of = (kind: RegistryObjectKind) => listing.objects.filter((o) => o.kind === kind);
    emit(
      io,
      {
        revision: listing.revision,
        appliedAt: last?.at ?? null,
        appliedBy: last?.actor ?? null,
        ...Object.fromEntries(ORDER.map((k) => [k, of(k)])),
      },
      () => {
        if (listing.objects.length === 0) {
          return "The feature registry is empty. Run 'plinth features plan' and 'plinth features apply' with your features module (--module features.ts).";
        }
        const sections = ORDER.filter((k) => of(k).length > 0).map((k) =>
          [TABLES[k].title, table(k, of(k))].join("\n"),
        );
        const header = `Feature registry at revision ${listing.revision}${last === undefined ? "" : `, applied ${formatTime(last.at)} UTC by ${last.actor}`}`;
        return [header, ...sections].join("\n\n");
      },
    );
    return 0;
  },
};

function table<K extends RegistryObjectKind>(kind: K, objects: readonly RegistryObject[]): string {
  const columns = TABLES[kind].columns as Columns<K>;
  return renderTable(
    ["NAME", "VERSION", ...columns.map(([h]) => h)],
    objects.map((o) => [
      o.name,
      `v${o.version}`,
      ...columns.map(([, cell]) => cell(o.spec as Spec<K>)),
    ]),
  );
}

/** A source in a few words: `parquet data/trips.parquet`, `push live_trips`. */
export function sourceText(source: FeatureViewSpec["source"] | SourceSpec): string {
  if ("pushSource" in source) return `push ${source.pushSource}`;
  const where = source.location.replace(/\s+/g, " ");
  return `${source.format} ${where.length > 40 ? `${where.slice(0, 39)}…` : where}`;
}
