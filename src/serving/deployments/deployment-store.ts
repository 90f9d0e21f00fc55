import type { Deployment, DeploymentSpec, DeploymentVariant } from "./deployment.ts";

/**
 * Deployments in the metadata store. Every change is validated (variant names unique, live
 * weights sum to 100, alias xor version, the model exists) and written in one transaction.
 */
export interface DeploymentStore {
  /** Creates a deployment; DEPLOYMENT_ALREADY_EXISTS if the name is taken. */
  create(spec: DeploymentSpec): Promise<Deployment>;
  /** The deployment; DEPLOYMENT_NOT_FOUND if there is none. */
  get(name: string): Promise<Deployment>;
  /** Every deployment, by name. */
  list(): Promise<Deployment[]>;
  /** Replaces the variants (a canary split, a rollback); returns the updated deployment. */
  setVariants(name: string, variants: readonly DeploymentVariant[]): Promise<Deployment>;
  /** Deletes a deployment; DEPLOYMENT_NOT_FOUND if there is none. */
  delete(name: string): Promise<void>;
}
