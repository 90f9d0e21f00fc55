import { invalidArgument } from "../../core/errors.ts";
import type { DeploymentVariant } from "../../serving/deployments/deployment.ts";

/** `fraud@champion` (an alias) or `fraud@v3` (a pinned version) as a variant's target. */
export interface ModelRef {
  readonly model: string;
  readonly alias?: string;
  readonly version?: string;
}

const VARIANT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/**
 * Parses `MODEL@ALIAS` or `MODEL@vN` (a version: `v` and digits). The model name may itself
 * contain `@`: the last `@` splits it.
 */
export function parseModelRef(text: string, field: string): ModelRef {
  const at = text.lastIndexOf("@");
  if (at <= 0 || at === text.length - 1) {
    throw invalidArgument(field, `expected MODEL@ALIAS or MODEL@vN, got '${text}'`);
  }
  const model = text.slice(0, at);
  const ref = text.slice(at + 1);
  const version = /^v(\d{1,18})$/.exec(ref)?.[1];
  return version === undefined
    ? { model, alias: ref }
    : { model, version: String(Number(version)) };
}

/**
 * The variants `plinth deployments set-traffic` asks for. Each live argument is
 * `NAME=WEIGHT` or `NAME=MODEL@REF:WEIGHT`; each `--shadow` is `NAME=MODEL@REF`. A bare
 * `NAME=WEIGHT` keeps what the current variant of that name serves, or, for a new name,
 * follows the alias NAME of the deployment's model (so `champion=90 challenger=10` splits
 * between `fraud@champion` and `fraud@challenger`).
 *
 * @example
 * parseTrafficSpec(["champion=90", "challenger=10"], ["shadow1=fraud@v3"], current.variants);
 */
export function parseTrafficSpec(
  live: readonly string[],
  shadows: readonly string[],
  current: readonly DeploymentVariant[],
): DeploymentVariant[] {
  if (live.length === 0) {
    throw invalidArgument("variants", "give at least one live variant, e.g. champion=100");
  }
  const defaultModel = current.find((v) => !v.shadow)?.model ?? current[0]?.model;
  const seen = new Set<string>();
  const out: DeploymentVariant[] = [];
  const claim = (name: string, arg: string) => {
    if (!VARIANT_NAME.test(name)) {
      throw invalidArgument(
        "variants",
        `variant name '${name}' in '${arg}' must be 1-100 letters, digits, '_', '.' or '-'`,
      );
    }
    if (seen.has(name)) throw invalidArgument("variants", `variant '${name}' is given twice`);
    seen.add(name);
  };
  for (const arg of live) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw invalidArgument("variants", `expected NAME=WEIGHT, got '${arg}'`);
    const name = arg.slice(0, eq);
    claim(name, arg);
    const rest = arg.slice(eq + 1);
    const colon = rest.lastIndexOf(":");
    const weightText = colon === -1 ? rest : rest.slice(colon + 1);
    if (!/^\d{1,3}(\.\d{1,6})?$/.test(weightText) || Number(weightText) > 100) {
      throw invalidArgument("variants", `weight in '${arg}' must be a number from 0 to 100`);
    }
    const weight = Number(weightText);
    let target: ModelRef;
    if (colon !== -1) {
      target = parseModelRef(rest.slice(0, colon), "variants");
    } else {
      const existing = current.find((v) => v.name === name);
      if (existing !== undefined) target = refOf(existing);
      else if (defaultModel !== undefined) target = { model: defaultModel, alias: name };
      else throw invalidArgument("variants", `'${arg}' needs a model: NAME=MODEL@REF:WEIGHT`);
    }
    out.push({ name, ...target, weight, shadow: false });
  }
  for (const arg of shadows) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw invalidArgument("shadow", `expected NAME=MODEL@REF, got '${arg}'`);
    const name = arg.slice(0, eq);
    claim(name, arg);
    out.push({ name, ...parseModelRef(arg.slice(eq + 1), "shadow"), weight: 0, shadow: true });
  }
  return out;
}

function refOf(v: DeploymentVariant): ModelRef {
  return v.alias !== undefined
    ? { model: v.model, alias: v.alias }
    : { model: v.model, version: v.version! };
}

/** `fraud@champion` or `fraud@v3`, for tables. */
export function formatModelRef(v: ModelRef): string {
  return v.alias !== undefined ? `${v.model}@${v.alias}` : `${v.model}@v${v.version}`;
}
