import type { Trace, TraceBuffer, View } from "../trace/trace.js";
import { bufferAt } from "../trace/lazyTrace.js";
import { traceColumns, VIEW_BIT } from "../trace/traceColumns.js";

/**
 * The buffers live right after event `index` in a view, largest first.
 * @param options.view - @defaultValue `"physical"`
 * @param options.limit - at most this many buffers; @defaultValue all
 */
export function liveAt(trace: Trace, index: number, options: { view?: View; limit?: number } = {}): TraceBuffer[] {
  const { eventBuffer, eventAlloc, views, bytes } = traceColumns(trace);
  if (!Number.isInteger(index) || index < -1 || index >= eventBuffer.length) {
    throw new Error(`liveAt: index must be an event index in -1..${eventBuffer.length - 1}, got ${index}`);
  }
  const bit = VIEW_BIT[options.view ?? "physical"];
  const live = new Uint8Array(bytes.length);
  for (let i = 0; i <= index; i++) live[eventBuffer[i]] = eventAlloc[i];
  const out: number[] = [];
  for (let b = 0; b < live.length; b++) if (live[b] && views[b] & bit) out.push(b);
  out.sort((a, b) => bytes[b] - bytes[a] || a - b);
  return out.slice(0, options.limit ?? out.length).map((b) => bufferAt(trace, b));
}
