import { InvalidArgumentError } from "commander";

/** Shortest `--interval`, milliseconds: one nvidia-smi query takes about 10-50 ms itself. */
export const MIN_INTERVAL_MS = 10;

/** `--interval 200ms`, `1s`, `0.5s` or a number of milliseconds, as milliseconds (at least 10). */
export function intervalArg(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/.exec(value.trim());
  const ms = m ? Number(m[1]) * (m[2] === "s" ? 1000 : 1) : NaN;
  if (!(ms >= MIN_INTERVAL_MS)) {
    throw new InvalidArgumentError(`--interval takes a duration of at least ${MIN_INTERVAL_MS}ms (200ms, 1s, 0.5s), got ${JSON.stringify(value)}`);
  }
  return ms;
}
