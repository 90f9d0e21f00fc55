/**
 * A columnar training set: one typed array per feature, no per-row objects. Every trainer
 * reads this shape; readers (frames, CSV, Parquet, Arrow) build it.
 */
export interface TrainingDataset {
  /** Number of rows; every array below has this length. */
  readonly numRows: number;
  /** Feature columns in model input order. */
  readonly features: readonly FeatureColumn[];
  /**
   * The label: 0/1 for binary, 0..K-1 for multiclass, a real for regression, a relevance grade
   * for ranking; all NaN when the table was read without a label column.
   */
  readonly label: Float64Array;
  /** Optional non-negative row weights (default 1). */
  readonly weight?: Float64Array;
  /** Ranking only: the query group id of each row; rows of one group are contiguous. */
  readonly group?: Int32Array;
}

/** A numeric feature; `NaN` marks a missing value. */
export interface NumericColumn {
  readonly kind: "numeric";
  readonly name: string;
  readonly values: Float64Array;
}

/** A categorical feature as codes into `dictionary`; -1 marks a missing value. */
export interface CategoricalColumn {
  readonly kind: "categorical";
  readonly name: string;
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
}

export type FeatureColumn = NumericColumn | CategoricalColumn;
