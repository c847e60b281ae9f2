import type { Trace, TraceCounter, TraceMeta } from "../trace/trace.js";

/**
 * A trace that holds only sampled series (no buffers, no events): what `hbmscope monitor` writes.
 * Every command that reads traces reads it; `counters` keep their order.
 */
export function counterTrace(counters: TraceCounter[], meta: TraceMeta = {}): Trace {
  return { format: "hbmscope.trace", version: 1, meta, counters, buffers: [], events: [], marks: [] };
}
