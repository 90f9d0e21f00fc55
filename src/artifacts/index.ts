export {
  MAX_ARTIFACT_KEY_BYTES,
  MAX_ARTIFACT_SEGMENT_BYTES,
  normalizeArtifactKey,
  normalizeArtifactPrefix,
} from "./artifact-key.ts";
export type {
  ArtifactBody,
  ArtifactEntry,
  ArtifactStat,
  ArtifactStore,
  ByteRange,
} from "./artifact-store.ts";
export {
  type ContentAddressedStore,
  createContentAddressedStore,
  type StoredContent,
} from "./content-addressed-store.ts";
export {
  createLocalArtifactStore,
  type LocalArtifactStoreConfig,
} from "./local/local-artifact-store.ts";
