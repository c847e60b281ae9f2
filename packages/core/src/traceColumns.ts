import { bufferIndex } from "./bufferIndex.js";
import { CATEGORIES, type Category, type Trace, type View } from "./trace.js";

/**
 * The compact, columnar form of a trace: typed arrays indexed by dense buffer index and event
 * index. Every fast pass (timeline, replay, charts) runs on this, never on the JSON objects.
 */
export interface TraceColumns {
  /** Buffer sizes in bytes. */
  bytes: Float64Array;
  /** Category of each buffer, as an index into `CATEGORIES`. */
  category: Uint8Array;
  /** 1 where the buffer counts in the logical view, 2 physical, 4 backend (a bit set). */
  views: Uint8Array;
  /** Dense buffer index of each event. */
  eventBuffer: Int32Array;
  /** 1 for alloc, 0 for free. */
  eventAlloc: Uint8Array;
  /** Whether the trace has logical (tensor-reference) buffers at all. */
  hasLogical: boolean;
  /** Whether the trace has kernel temporaries. */
  hasKernelTemps: boolean;
}

export const VIEW_BIT: Record<View, number> = { logical: 1, physical: 2, backend: 4 };

const categoryIndex = new Map<Category, number>(CATEGORIES.map((c, i) => [c, i]));
const cache = new WeakMap<Trace, TraceColumns>();

/** Columnar form of a (validated) trace; computed once per trace object. */
export function traceColumns(trace: Trace): TraceColumns {
  const hit = cache.get(trace);
  if (hit) return hit;
  const { buffers, events } = trace;
  const nb = buffers.length;
  const bytes = new Float64Array(nb);
  const category = new Uint8Array(nb);
  const views = new Uint8Array(nb);
  const ids = new Float64Array(nb);
  let hasLogical = false;
  let hasKernelTemps = false;
  for (let i = 0; i < nb; i++) {
    const b = buffers[i];
    ids[i] = b.id;
    bytes[i] = b.bytes;
    category[i] = categoryIndex.get(b.category) ?? CATEGORIES.length - 1;
    if (b.view === "logical") {
      views[i] = 1;
      hasLogical = true;
    } else if (b.kernelTemp) {
      views[i] = 4;
      hasKernelTemps = true;
    } else views[i] = 2 | 4;
  }
  // Without logical buffers the logical view is the physical one.
  if (!hasLogical) for (let i = 0; i < nb; i++) if (views[i] & 2) views[i] |= 1;
  const indexOf = bufferIndex(ids);
  const ne = events.length;
  const eventBuffer = new Int32Array(ne);
  const eventAlloc = new Uint8Array(ne);
  for (let i = 0; i < ne; i++) {
    const e = events[i];
    eventBuffer[i] = indexOf(e.buffer);
    eventAlloc[i] = e.kind === "alloc" ? 1 : 0;
  }
  const columns = { bytes, category, views, eventBuffer, eventAlloc, hasLogical, hasKernelTemps };
  cache.set(trace, columns);
  return columns;
}
