/**
 * Assigns category codes in order of first appearance: the first distinct value seen gets 0,
 * the next 1, and so on. Seeded with a training dictionary, it keeps those codes and appends
 * values the training data never had, so a validation or test set codes every shared
 * category exactly as training did.
 *
 * @example
 * const encoder = new CategoricalEncoder();
 * encoder.encode("red"); // 0
 * encoder.encode("blue"); // 1
 * encoder.encode("red"); // 0
 * encoder.dictionary; // ["red", "blue"]
 */
export class CategoricalEncoder {
  /** Values in code order. */
  readonly dictionary: string[];
  private readonly codes = new Map<string, number>();

  constructor(initial: readonly string[] = []) {
    this.dictionary = [...initial];
    this.dictionary.forEach((value, code) => {
      if (!this.codes.has(value)) this.codes.set(value, code);
    });
  }

  /** The code of `value`, adding it to the dictionary when new. */
  encode(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.dictionary.length;
      this.dictionary.push(value);
      this.codes.set(value, code);
    }
    return code;
  }
}
