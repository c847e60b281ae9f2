import { serializeTrace } from "@hbmscope/core";
import { TfjsTraceError } from "@hbmscope/tfjs/config";
import { CliError } from "./cliError.js";
import type { Io } from "./io.js";
import { writeOutput } from "./writeOutput.js";

/** Whether an error means the JS heap or the wasm heap ran out. */
function isOutOfMemory(e: unknown): boolean {
  return e instanceof RangeError || /out of memory|allocation failed|Array buffer|enlarge memory|grow memory/i.test(String((e as Error)?.message ?? e));
}

/**
 * Turns a failed traced step into one clear line: out of memory or another error, how far the
 * trace got, and where the partial trace went (written when `out` is given).
 */
export function failedRun(e: unknown, out: string | undefined, io: Io): Error {
  if (!(e instanceof TfjsTraceError)) return e instanceof Error ? new CliError(e.message) : new CliError(String(e));
  const cause = e.cause;
  const events = e.trace.events.length;
  let where = "";
  if (out) {
    writeOutput(out, serializeTrace(e.trace), io.cwd);
    where = `; partial trace (${events} events) written to ${out}`;
  } else where = `; pass --out to keep the partial trace (${events} events)`;
  const message = (cause as Error)?.message ?? String(cause);
  if (isOutOfMemory(cause)) {
    return new CliError(`out of memory during the traced step (${message}); try a smaller configuration${where}`);
  }
  return new CliError(`the traced step failed: ${message}${where}`);
}
