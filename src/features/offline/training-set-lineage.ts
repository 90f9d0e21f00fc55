/** Where a training set came from, by content: enough to tell whether two are the same. */
export interface TrainingSetLineage {
  /** sha256 over everything below: equal lineage hashes mean an equal training set. */
  readonly hash: string;
  readonly featureService: string;
  /**
   * sha256 of the entity input: of the rows' canonical JSON, of the file bytes (each file of
   * a glob, in name order), or of the query text for SQL input (its data is not hashed).
   */
  readonly entityInputHash: string;
  readonly entityInputKind: "rows" | "parquet" | "csv" | "sql";
  /** definitionsHash of the feature service and everything it reaches. */
  readonly definitionsHash: string;
  /**
   * Per source name: sha256 of its files' bytes (in name order) or of its query text; the
   * files listed so a reader can see which were read.
   */
  readonly sources: Readonly<
    Record<string, { readonly sha256: string; readonly files: readonly string[] }>
  >;
  /** The retrieval options that change values: full names, late-arrival exclusion, timestamp column. */
  readonly options: Readonly<Record<string, string | boolean>>;
  /**
   * Per feature view and on-demand view read: the sha256 of its registry spec, by which a
   * saved dataset finds the registry version (`view@v2`) it was built from. Not part of
   * `hash`: it covers descriptions too, which change no value.
   */
  readonly views: Readonly<Record<string, string>>;
}
