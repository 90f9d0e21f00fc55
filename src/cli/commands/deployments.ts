import { invalidArgument } from "../../core/errors.ts";
import type { Deployment, DeploymentSpec } from "../../serving/deployments/deployment.ts";
import { type Command, type OptionValues, withPlatform } from "../command.ts";
import { emit } from "../output.ts";
import { formatTime, renderTable } from "../table.ts";
import { formatModelRef, parseModelRef, parseTrafficSpec } from "./traffic-spec.ts";

const USAGE = `plinth deployments create <name> --model MODEL (--alias ALIAS | --version N)
                          [--variant NAME] [--sticky-key FIELD] [--threshold T] [--description TEXT]
plinth deployments list
plinth deployments show <name>
plinth deployments set-traffic <name> NAME=WEIGHT|NAME=MODEL@REF:WEIGHT ... [--shadow NAME=MODEL@REF ...]
plinth deployments delete <name>
(every verb takes --json and --home DIR)

A deployment serves a registered model at an alias (followed as it moves: hot swap) or a
pinned version, behind POST /api/deployments/<name>/predict and /v2/models/<name>/infer.
create makes one live variant (named after the alias, or v<N>) taking all traffic.
set-traffic replaces the variants: 'champion=90 challenger=10' splits live traffic between
MODEL@champion and MODEL@challenger of the deployment's model (a bare NAME=WEIGHT keeps what
an existing variant of that name serves); 'canary=fraud@v7:5' pins a version; --shadow
shadow1=fraud@v3 scores every request with fraud version 3 and logs it, never returning it.
Live weights sum to 100. Running servers follow changes within their poll interval.`;

export const deploymentsCommand: Command = {
  summary: "Create, list, show, re-split (canary, shadow) and delete model-serving deployments",
  usage: USAGE,
  options: {
    model: { type: "string" },
    alias: { type: "string" },
    version: { type: "string" },
    variant: { type: "string" },
    "sticky-key": { type: "string" },
    threshold: { type: "string" },
    description: { type: "string" },
    shadow: { type: "string", multiple: true },
  },

  async run({ positionals, values, io }) {
    const [verb, name, ...rest] = positionals;
    const needName = () => {
      if (name === undefined) throw invalidArgument("name", `'${verb}' needs a deployment name`);
      return name;
    };
    const noExtra = (extra: readonly string[]) => {
      if (extra.length > 0)
        throw invalidArgument("deployments", `unexpected argument '${extra[0]}'`);
    };
    switch (verb) {
      case "create": {
        noExtra(rest);
        const spec = createSpec(needName(), values);
        return withPlatform(values, async (platform) => {
          const created = await platform.deployments.create(spec);
          emit(io, created, () => `created deployment ${created.name}\n\n${describe(created)}`);
          return 0;
        });
      }
      case "list":
        if (name !== undefined) noExtra([name, ...rest]);
        return withPlatform(values, async (platform) => {
          const all = await platform.deployments.list();
          emit(io, { deployments: all }, () =>
            renderTable(
              ["NAME", "VARIANTS", "UPDATED", "DESCRIPTION"],
              all.map((d) => [d.name, variantSummary(d), formatTime(d.updatedAt), d.description]),
            ),
          );
          return 0;
        });
      case "show":
        noExtra(rest);
        return withPlatform(values, async (platform) => {
          const d = await platform.deployments.get(needName());
          emit(io, d, () => describe(d));
          return 0;
        });
      case "set-traffic": {
        const target = needName();
        return withPlatform(values, async (platform) => {
          const current = await platform.deployments.get(target);
          const shadows = (values.shadow as unknown as string[] | undefined) ?? [];
          const variants = parseTrafficSpec(rest, shadows, current.variants);
          const updated = await platform.deployments.setVariants(target, variants);
          emit(io, updated, () => `updated deployment ${updated.name}\n\n${describe(updated)}`);
          return 0;
        });
      }
      case "delete":
        noExtra(rest);
        return withPlatform(values, async (platform) => {
          const target = needName();
          await platform.deployments.delete(target);
          emit(io, { deleted: target }, () => `deleted deployment ${target}`);
          return 0;
        });
      default:
        throw invalidArgument(
          "command",
          `expected create, list, show, set-traffic or delete. Usage:\n${USAGE}`,
        );
    }
  },
};

function createSpec(name: string, values: OptionValues): DeploymentSpec {
  const model = values.model;
  if (typeof model !== "string" || model === "") {
    throw invalidArgument("model", "create needs --model MODEL (a registered model)");
  }
  const alias = typeof values.alias === "string" ? values.alias : undefined;
  let version = typeof values.version === "string" ? values.version : undefined;
  if ((alias === undefined) === (version === undefined)) {
    throw invalidArgument("alias", "give exactly one of --alias ALIAS or --version N");
  }
  if (version !== undefined) {
    // Accept `3` and `v3` alike; the store checks the version exists.
    version = parseModelRef(
      `${model}@${/^v/.test(version) ? version : `v${version}`}`,
      "version",
    ).version;
    if (version === undefined) throw invalidArgument("version", "expected a version number");
  }
  const variant =
    typeof values.variant === "string" ? values.variant : (alias ?? `v${version as string}`);
  let threshold: number | undefined;
  if (typeof values.threshold === "string") {
    threshold = Number(values.threshold);
    if (values.threshold.trim() === "" || !Number.isFinite(threshold)) {
      throw invalidArgument(
        "threshold",
        `expected a number from 0 to 1, got '${values.threshold}'`,
      );
    }
  }
  return {
    name,
    variants: [
      {
        name: variant,
        model,
        ...(alias === undefined ? { version } : { alias }),
        weight: 100,
        shadow: false,
      },
    ],
    ...(typeof values["sticky-key"] === "string" ? { stickyKey: values["sticky-key"] } : {}),
    ...(threshold === undefined ? {} : { threshold }),
    ...(typeof values.description === "string" ? { description: values.description } : {}),
  };
}

function variantSummary(d: Deployment): string {
  return d.variants
    .map((v) => `${v.name}=${formatModelRef(v)}${v.shadow ? " (shadow)" : ` ${v.weight}%`}`)
    .join(", ");
}

function describe(d: Deployment): string {
  return [
    `Deployment ${d.name}`,
    `  description: ${d.description}`,
    `  sticky key:  ${d.stickyKey ?? "(request id)"}`,
    `  threshold:   ${d.threshold}`,
    `  updated:     ${formatTime(d.updatedAt)}`,
    "",
    renderTable(
      ["VARIANT", "MODEL", "WEIGHT", "SHADOW"],
      d.variants.map((v) => [
        v.name,
        formatModelRef(v),
        v.shadow ? "-" : String(v.weight),
        v.shadow ? "yes" : "no",
      ]),
    ),
  ].join("\n");
}
