import type { Trace } from "./trace.js";

const STANDARD = new Set(["format", "version", "meta", "buffers", "events", "marks"]);

/**
 * A trace's extra top-level fields (all but format, version, meta, buffers, events and marks), in
 * their order, without reading a lazy trace's arrays; a `__proto__` field stays a field.
 */
export function traceExtras(trace: Trace): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(trace)) {
    if (STANDARD.has(key)) continue;
    Object.defineProperty(out, key, { value: (trace as unknown as Record<string, unknown>)[key], enumerable: true, writable: true, configurable: true });
  }
  return out;
}
