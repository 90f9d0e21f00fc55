import type { KeyValue } from "../tracking/types.ts";

export const STAGES = ["None", "Staging", "Production", "Archived"] as const;
export type Stage = (typeof STAGES)[number];
/** Deleted versions keep their row under this stage, so a version number is never reused. */
export const DELETED_STAGE = "Deleted_Internal";

export type VersionStatus = "PENDING_REGISTRATION" | "FAILED_REGISTRATION" | "READY";

/** A named, typed column of a model's input or output. */
export interface SignatureField {
  name: string;
  type: "float" | "double" | "int" | "long" | "boolean" | "string" | "category";
  /** Optional shape for tensor inputs, -1 for a free dimension. */
  shape?: number[];
}

export interface ModelSignature {
  inputs: SignatureField[];
  outputs: SignatureField[];
}

export interface ModelVersion {
  name: string;
  version: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  currentStage: Stage;
  description: string;
  userId: string;
  source: string;
  runId: string;
  runLink: string;
  status: VersionStatus;
  statusMessage: string;
  tags: KeyValue[];
  aliases: string[];
  signature: ModelSignature | undefined;
}

export interface RegisteredModel {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string;
  tags: KeyValue[];
  aliases: Array<{ alias: string; version: string }>;
  /** The newest version in each stage that has one. */
  latestVersions: ModelVersion[];
}

/** One recorded registry change. `before`/`after` are the changed object's JSON snapshots. */
export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  modelName: string;
  version: string | undefined;
  before: unknown;
  after: unknown;
}

/** Who is making a change; recorded in the audit history. */
export interface RegistryContext {
  actor?: string;
}
