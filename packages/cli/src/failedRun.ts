import { serializeTrace } from "@hbmscope/core";
import { TfjsTraceError } from "@hbmscope/tfjs/config";
import { CliError } from "./cliError.js";
import { OOM_EXIT_CODE } from "./commands/replay.js";
import type { Io } from "./io.js";
import { writeOutput } from "./writeOutput.js";

/**
 * The most a wasm heap holds: WebAssembly's 32-bit memory addresses 65536 pages of 64 KiB
 * (WebAssembly core spec, "Memory Instances"; tfjs-backend-wasm builds with a growable memory).
 */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

/** Whether an error means the JS heap or the wasm heap ran out. */
function isOutOfMemory(e: unknown, backend?: string): boolean {
  const message = String((e as Error)?.message ?? e);
  if (e instanceof RangeError || /out of memory|allocation failed|Array buffer|enlarge memory|grow memory/i.test(message)) return true;
  // A full wasm heap shows as a failed allocation inside a kernel: an access beyond the memory,
  // an XNNPACK status, or an abort.
  return backend === "wasm" && /memory access out of bounds|xnn|XNNPACK|status|Aborted|abort\(/i.test(message);
}

/**
 * Turns a failed traced step into one clear line: out of memory (for wasm: its heap, at most
 * 4 GiB; exit code 3, as every command's "does not fit") or another error, how far the trace got, and where the partial trace went (written when
 * `out` is given).
 */
export function failedRun(e: unknown, out: string | undefined, io: Io, backend?: string): Error {
  if (!(e instanceof TfjsTraceError)) return e instanceof Error ? new CliError(e.message) : new CliError(String(e));
  const cause = e.cause;
  const events = e.trace.events.length;
  let where = "";
  if (out) {
    writeOutput(out, serializeTrace(e.trace), io);
    where = `; partial trace (${events} events) written to ${out}`;
  } else where = `; pass --out to keep the partial trace (${events} events)`;
  const message = (cause as Error)?.message ?? String(cause);
  if (isOutOfMemory(cause, backend)) {
    if (backend === "wasm") {
      return new CliError(`the wasm heap ran out during the traced step (it holds at most 4 GiB: WebAssembly's 32-bit memory; the backend said: ${message}); try --backend cpu, a smaller --seq or --batch, or --attention flash${where}`, OOM_EXIT_CODE);
    }
    return new CliError(`out of memory during the traced step (${message}); try a smaller configuration${where}`, OOM_EXIT_CODE);
  }
  return new CliError(`the traced step failed: ${message}${where}`);
}
