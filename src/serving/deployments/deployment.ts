/**
 * One traffic variant of a deployment: a registered model at an alias (`fraud@champion`) or a
 * pinned version, with its share of live traffic. Shadow variants get a copy of every request,
 * are scored and logged, and are never returned.
 */
export interface DeploymentVariant {
  /** `champion`, `challenger`, ... unique within the deployment. */
  readonly name: string;
  /** The registered model. */
  readonly model: string;
  /** Exactly one of alias and version names what to load; an alias is followed as it moves. */
  readonly alias?: string;
  readonly version?: string;
  /** Share of live traffic, 0-100; live variants' weights sum to 100. Ignored for shadows. */
  readonly weight: number;
  readonly shadow: boolean;
}

/** A named deployment as stored in the metadata store. */
export interface Deployment {
  readonly name: string;
  readonly variants: readonly DeploymentVariant[];
  /** The request field (an entity key or request field) hashed for sticky assignment; default the request id. */
  readonly stickyKey?: string;
  /** Decision threshold for binary models (precision/recall in monitoring); default 0.5. */
  readonly threshold: number;
  readonly description: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What a caller gives to create or replace a deployment. */
export type DeploymentSpec = Omit<
  Deployment,
  "createdAt" | "updatedAt" | "threshold" | "description"
> & {
  readonly threshold?: number;
  readonly description?: string;
};
