import { InvalidArgumentError } from "commander";

/** A commander argument parser for positive integers that names the flag on bad input. */
export function intArg(flag: string, min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`${flag} takes an integer >= ${min}, got ${JSON.stringify(value)}`);
    }
    return n;
  };
}

/** A comma-separated list of positive integers (`--seq 256,512`). */
export function intListArg(flag: string, min = 1) {
  const one = intArg(flag, min);
  return (value: string): number[] => value.split(",").map((v) => one(v.trim()));
}
