import { isLazyPending } from "./lazyTrace.js";
import { checkBytes, serializeTraceChunks } from "./serializeTraceChunks.js";
import type { Trace } from "./trace.js";

/**
 * Serialises a trace to JSON text. Lossless: `parseTrace(serializeTrace(t))` deep-equals `t`.
 * Refuses (a `TraceError` naming the buffer) a size that `parseTrace` would refuse: beyond 2^53 - 1
 * bytes, not an integer, negative.
 * @param options.indent - spaces of indentation; default 0 (compact, for large traces).
 */
export function serializeTrace(trace: Trace, options: { indent?: number } = {}): string {
  // A lazy trace (an import) is written from its columns, without building its arrays.
  if (!options.indent && isLazyPending(trace)) return Array.from(serializeTraceChunks(trace)).join("");
  const { format, version, meta, buffers, events, marks, ...rest } = trace;
  for (let i = 0; i < buffers.length; i++) checkBytes(buffers[i].bytes, i);
  return JSON.stringify({ format, version, meta, ...rest, buffers, events, marks }, null, options.indent ?? 0);
}
