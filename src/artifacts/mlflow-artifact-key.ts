import { PlinthError } from "../core/errors.ts";

/** Proxied artifacts live under this prefix of the artifact store, mirroring `mlflow-artifacts:/`. */
export const MLFLOW_ARTIFACTS_PREFIX = "mlflow-artifacts";
/** The URI scheme of artifacts the server proxies (MLflow's `--serve-artifacts`). */
export const MLFLOW_ARTIFACTS_SCHEME = "mlflow-artifacts:/";

/** The store key of a path below the proxied root (`""` is the root itself). */
export function mlflowArtifactKey(path: string): string {
  return path === "" ? MLFLOW_ARTIFACTS_PREFIX : `${MLFLOW_ARTIFACTS_PREFIX}/${path}`;
}

/** The store key of an `mlflow-artifacts:/...` URI, such as a run's artifact URI plus a path. */
export function createMlflowArtifactKey(uri: string): string {
  if (!uri.startsWith(MLFLOW_ARTIFACTS_SCHEME)) {
    throw new PlinthError(
      "ARTIFACTS_INVALID_PATH",
      `Artifact URI '${uri}' is not under ${MLFLOW_ARTIFACTS_SCHEME}`,
      {
        field: "artifact_uri",
      },
    );
  }
  return mlflowArtifactKey(uri.slice(MLFLOW_ARTIFACTS_SCHEME.length));
}
