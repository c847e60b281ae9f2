import { isLazyPending } from "./lazyTrace.js";
import { serializeTraceChunks } from "./serializeTraceChunks.js";
import type { Trace } from "./trace.js";

/**
 * Serialises a trace to JSON text. Lossless: `parseTrace(serializeTrace(t))` deep-equals `t`.
 * @param options.indent - spaces of indentation; default 0 (compact, for large traces).
 */
export function serializeTrace(trace: Trace, options: { indent?: number } = {}): string {
  // A lazy trace (an import) is written from its columns, without building its arrays.
  if (!options.indent && isLazyPending(trace)) return Array.from(serializeTraceChunks(trace)).join("");
  const { format, version, meta, buffers, events, marks, ...rest } = trace;
  return JSON.stringify({ format, version, meta, ...rest, buffers, events, marks }, null, options.indent ?? 0);
}
