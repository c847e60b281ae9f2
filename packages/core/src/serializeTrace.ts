import type { Trace } from "./trace.js";

/**
 * Serialises a trace to JSON text. Lossless: `parseTrace(serializeTrace(t))` deep-equals `t`.
 * @param options.indent - spaces of indentation; default 0 (compact, for large traces).
 */
export function serializeTrace(trace: Trace, options: { indent?: number } = {}): string {
  const { format, version, meta, buffers, events, marks, ...rest } = trace;
  return JSON.stringify({ format, version, meta, ...rest, buffers, events, marks }, null, options.indent ?? 0);
}
