import type { TrainingDataset } from "./training-dataset.ts";

/** Which columns of a table play which role: what every dataset reader takes. */
export interface TableReadOptions {
  /**
   * The label column: numeric, no missing values. Leave it out to read a table that has no
   * label (data to score or monitor): `label` is then all NaN, which every trainer refuses.
   */
  readonly label?: string;
  /** Optional row-weight column: numeric, no missing values. */
  readonly weight?: string;
  /** Optional query-group column (ranking): any values; ids are assigned by first appearance. */
  readonly group?: string;
  /**
   * Feature columns to read as categories. In CSV every other feature is numeric; in typed
   * formats (frames, Parquet, Arrow) text and boolean columns are categories anyway.
   */
  readonly categorical?: readonly string[];
  /** Feature columns in model order (default: every column but label, weight and group). */
  readonly features?: readonly string[];
  /**
   * The training set, when reading validation or test data: its feature list and categorical
   * columns become the defaults, and its dictionaries are extended rather than rebuilt, so a
   * category has the same code in both sets (unseen ones get codes past the training ones).
   */
  readonly reference?: TrainingDataset;
}
