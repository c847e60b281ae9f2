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

export const categoryIndex = new Map<string, number>(CATEGORIES.map((c, i) => [c, i]));
const cache = new WeakMap<Trace, TraceColumns>();

/** Remembers columns already built for a trace (by `parseTrace`, as a by-product of validation). */
export function cacheColumns(trace: Trace, columns: TraceColumns): void {
  cache.set(trace, columns);
}

/** The view bits of a buffer (see `TraceColumns.views`) before the logical fallback. */
export function viewBits(view: unknown, kernelTemp: unknown): number {
  return view === "logical" ? 1 : kernelTemp === true ? 4 : 2 | 4;
}

/** Without logical buffers, the logical view is the physical one. */
export function applyLogicalFallback(views: Uint8Array, hasLogical: boolean): void {
  if (!hasLogical) for (let i = 0; i < views.length; i++) if (views[i] & 2) views[i] |= 1;
}

/**
 * Columnar form of a (validated) trace; computed once per trace object (traces are treated as
 * immutable: build a new trace rather than editing one that was already read).
 */
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
    views[i] = viewBits(b.view, b.kernelTemp);
    if (views[i] === 1) hasLogical = true;
    else if (views[i] === 4) hasKernelTemps = true;
  }
  applyLogicalFallback(views, hasLogical);
  const ne = events.length;
  const eventBuffer = new Int32Array(ne);
  const eventAlloc = new Uint8Array(ne);
  let dense = true;
  for (let i = 0; i < nb; i++) if (ids[i] !== i) { dense = false; break; }
  if (dense) {
    // The common case (traceBuilder, the tracer, the simulator): ids are indices already.
    for (let i = 0; i < ne; i++) {
      const e = events[i];
      eventBuffer[i] = e.buffer;
      eventAlloc[i] = e.kind === "alloc" ? 1 : 0;
    }
  } else {
    const indexOf = bufferIndex(ids);
    for (let i = 0; i < ne; i++) {
      const e = events[i];
      eventBuffer[i] = indexOf(e.buffer);
      eventAlloc[i] = e.kind === "alloc" ? 1 : 0;
    }
  }
  const columns = { bytes, category, views, eventBuffer, eventAlloc, hasLogical, hasKernelTemps };
  cache.set(trace, columns);
  return columns;
}
