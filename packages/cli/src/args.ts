import { InvalidArgumentError } from "commander";

/** A commander argument parser that knows its accepted range (documented in docs/cli.md, checked by a test). */
export type RangedParser<T> = ((value: string) => T) & { range: readonly [number, number] };

/**
 * A commander argument parser for integers from `min` to `max` (@defaultValue 1 and 2^20) that
 * names the flag and the range on bad input. Each flag's range keeps the work it asks for bounded
 * (a chart of 1e9 pixels, a step of 1e9 tokens) and its numbers exact.
 */
export function intArg(flag: string, min = 1, max = 2 ** 20): RangedParser<number> {
  const parse = (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${flag} takes an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return n;
  };
  return Object.assign(parse, { range: [min, max] as const });
}

/** A comma-separated list of integers from `min` to `max` (`--seq 256,512`). */
export function intListArg(flag: string, min = 1, max = 2 ** 20): RangedParser<number[]> {
  const one = intArg(flag, min, max);
  return Object.assign((value: string): number[] => value.split(",").map((v) => one(v.trim())), { range: one.range });
}
