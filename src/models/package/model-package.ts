import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { PlinthError } from "../../core/errors.ts";
import { PLINTH_VERSION } from "../../version.ts";
import type { LinearModel } from "../linear-model.ts";
import { linearModelFromJson, linearModelToJson } from "../linear-model-json.ts";
import type { TreeEnsemble } from "../tree-ensemble.ts";
import { treeEnsembleFromJson, treeEnsembleToJson } from "../tree-ensemble-json.ts";
import { importXgboostJson } from "../xgboost/import-xgboost-json.ts";
import { type ModelManifest, parseModelManifest } from "./model-manifest.ts";

export const MANIFEST_FILE = "manifest.json";

/** What a trainer or importer knows about a model; the package adds the file, hash and version. */
export type ModelPackageContent = Omit<
  ModelManifest,
  "formatVersion" | "modelFile" | "modelSha256" | "plinthVersion" | "createdAt" | "flavour"
>;

/**
 * The in-memory model a package holds: a tree ensemble (plinth GBDT and imported XGBoost
 * flavours) or a linear model (`plinth-linear`).
 */
export type PackagedModel =
  | { readonly kind: "tree-ensemble"; readonly ensemble: TreeEnsemble }
  | { readonly kind: "linear"; readonly model: LinearModel };

/** A loaded package: its manifest and the in-memory model its flavour converts to. */
export interface LoadedModelPackage {
  readonly manifest: ModelManifest;
  readonly model: PackagedModel;
}

/**
 * Writes a plinth model package: `dir/manifest.json` and `dir/model.json` (flavour
 * `plinth-gbdt` for a tree ensemble, `plinth-linear` for a linear model). The files are
 * written and fsynced in a temporary sibling directory which is then renamed to `dir`, so a
 * reader sees a whole package or none. `dir` must not exist yet.
 *
 * @example
 * await writeModelPackage("out/fraud-model", { kind: "tree-ensemble", ensemble: model.ensemble }, { task: "binary", inputs, outputs: ["probability"], ... });
 */
export async function writeModelPackage(
  dir: string,
  model: PackagedModel,
  content: ModelPackageContent,
): Promise<ModelManifest> {
  const json =
    model.kind === "linear" ? linearModelToJson(model.model) : treeEnsembleToJson(model.ensemble);
  const modelBytes = Buffer.from(JSON.stringify(json));
  const manifest = parseModelManifest({
    formatVersion: 1,
    flavour: model.kind === "linear" ? "plinth-linear" : "plinth-gbdt",
    ...content,
    plinthVersion: PLINTH_VERSION,
    modelFile: "model.json",
    modelSha256: createHash("sha256").update(modelBytes).digest("hex"),
    createdAt: new Date().toISOString(),
  });
  checkSignatureMatches(manifest, model);
  if (await exists(dir)) {
    throw new PlinthError(
      "INVALID_ARGUMENT",
      `Model package directory '${dir}' already exists; choose a new one`,
      {
        field: "dir",
      },
    );
  }
  await mkdir(dirname(dir), { recursive: true });
  const temp = join(dirname(dir), `.${basename(dir)}.tmp-${randomBytes(6).toString("hex")}`);
  await mkdir(temp);
  try {
    await writeSynced(join(temp, manifest.modelFile), modelBytes);
    await writeSynced(
      join(temp, MANIFEST_FILE),
      Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`),
    );
    await rename(temp, dir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return manifest;
}

/** Reads and verifies a package (manifest schema, model hash, signature against the model). */
export async function readModelPackage(dir: string): Promise<LoadedModelPackage> {
  const manifestText = await readFile(join(dir, MANIFEST_FILE), "utf8").catch((cause: unknown) => {
    throw new PlinthError("MODELS_INVALID_PACKAGE", `No readable ${MANIFEST_FILE} in '${dir}'`, {
      field: MANIFEST_FILE,
      cause,
    });
  });
  const manifest = parseModelManifest(parseJson(manifestText, MANIFEST_FILE));
  const modelBytes = await readFile(join(dir, manifest.modelFile)).catch((cause: unknown) => {
    throw new PlinthError(
      "MODELS_INVALID_PACKAGE",
      `Model file '${manifest.modelFile}' is missing from '${dir}'`,
      {
        field: "modelFile",
        cause,
      },
    );
  });
  const actual = createHash("sha256").update(modelBytes).digest("hex");
  if (actual !== manifest.modelSha256) {
    throw new PlinthError(
      "MODELS_INVALID_PACKAGE",
      `Model file '${manifest.modelFile}' has sha256 ${actual}, but the manifest says ${manifest.modelSha256}: the package is corrupt`,
      { field: "modelSha256" },
    );
  }
  const text = modelBytes.toString("utf8");
  const model = loadModel(manifest.flavour, text, manifest.modelFile);
  checkSignatureMatches(manifest, model);
  return { manifest, model };
}

function loadModel(flavour: ModelManifest["flavour"], text: string, file: string): PackagedModel {
  switch (flavour) {
    case "plinth-gbdt":
      return { kind: "tree-ensemble", ensemble: treeEnsembleFromJson(parseJson(text, file)) };
    case "xgboost-json":
      return { kind: "tree-ensemble", ensemble: importXgboostJson(text) };
    case "plinth-linear":
      return { kind: "linear", model: linearModelFromJson(parseJson(text, file)) };
  }
}

function checkSignatureMatches(manifest: ModelManifest, model: PackagedModel): void {
  const names = manifest.inputs.map((i) => i.name);
  const featureNames =
    model.kind === "linear" ? model.model.featureNames : model.ensemble.featureNames;
  // A linear model takes numbers only; a tree ensemble marks its categorical inputs.
  const isCategorical = (i: number): boolean =>
    model.kind === "tree-ensemble" && model.ensemble.categoricalFeatures[i] === true;
  const mismatch =
    names.length !== featureNames.length ||
    manifest.inputs.some(
      (input, i) =>
        input.name !== featureNames[i] || (input.type === "category") !== isCategorical(i),
    );
  if (mismatch) {
    throw new PlinthError(
      "MODELS_INVALID_PACKAGE",
      `manifest.json inputs [${names.join(", ")}] do not match the model's features [${featureNames.join(", ")}]`,
      { field: "inputs" },
    );
  }
  const numOutputs = model.kind === "linear" ? model.model.numOutputs : model.ensemble.numOutputs;
  if (manifest.outputs.length !== numOutputs) {
    throw new PlinthError(
      "MODELS_INVALID_PACKAGE",
      `manifest.json lists ${manifest.outputs.length} outputs; the model has ${numOutputs}`,
      { field: "outputs" },
    );
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new PlinthError(
      "MODELS_INVALID_PACKAGE",
      `${file} is not valid JSON: ${(cause as Error).message}`,
      {
        field: file,
        cause,
      },
    );
  }
}

async function writeSynced(path: string, bytes: Buffer): Promise<void> {
  const handle = await open(path, "wx");
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
