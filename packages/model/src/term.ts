/** One number of an estimate, with how it was computed and where the formula comes from. */
export interface Term {
  /** Bytes, per GPU. */
  bytes: number;
  /** The formula, in the symbols of docs/estimator.md (shipped in this package) (s, b, h, a, ...), with the numbers it used. */
  formula: string;
  /** Paper, documentation or source file the formula follows. */
  source: string;
}

export function term(bytes: number, formula: string, source: string): Term {
  return { bytes, formula, source };
}
