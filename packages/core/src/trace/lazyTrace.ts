import type { Trace, TraceBuffer, TraceEvent, TraceMark, TraceMeta } from "./trace.js";
import { cacheColumns, type TraceColumns } from "./traceColumns.js";

/**
 * How a lazy trace makes its buffers and events, one at a time (see `lazyTrace`). Each call
 * returns a new object; `buffer(i)` is the buffer at index `i` of `trace.buffers`.
 */
export interface TraceRows {
  bufferCount: number;
  eventCount: number;
  buffer(i: number): TraceBuffer;
  event(i: number): TraceEvent;
  /** Whether any buffer has a `phase` (when false, code that looks for phases skips them). */
  hasBufferPhases: boolean;
  /** Every event's `time` (ms), when every event has one. */
  times?: Float64Array;
}

const rowsOf = new WeakMap<Trace, TraceRows>();

/**
 * A Trace whose `buffers` and `events` arrays are only built when something reads them, from
 * `rows`; until then the trace costs what its columns cost (about 13 bytes an event instead of
 * about 70 as objects). `timeline`, `liveAt`, `replay`, the allocators and the CLI's readers work on
 * the columns and on `bufferAt` / `eventAt`, so they never build the arrays; reading
 * `trace.buffers` or `trace.events` (or spreading, cloning or `JSON.stringify`-ing the trace)
 * builds them once, and from then on it is an ordinary trace. `serializeTraceChunks` writes one
 * without building them. `columns` must be what `traceColumns` would compute from the rows.
 */
export function lazyTrace(meta: TraceMeta, marks: TraceMark[], rows: TraceRows, columns: TraceColumns): Trace {
  const trace = { format: "hbmscope.trace", version: 1, meta } as Trace;
  const lazily = <K extends "buffers" | "events">(key: K, make: () => Trace[K]) => {
    Object.defineProperty(trace, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = make();
        Object.defineProperty(trace, key, { value, enumerable: true, configurable: true, writable: true });
        return value;
      },
      set(value: Trace[K]) {
        Object.defineProperty(trace, key, { value, enumerable: true, configurable: true, writable: true });
      },
    });
  };
  lazily("buffers", () => Array.from({ length: rows.bufferCount }, (_, i) => rows.buffer(i)));
  lazily("events", () => Array.from({ length: rows.eventCount }, (_, i) => rows.event(i)));
  trace.marks = marks;
  rowsOf.set(trace, rows);
  cacheColumns(trace, columns);
  return trace;
}

/** The rows of a lazy trace whose arrays are not built yet; undefined otherwise. */
function pending(trace: Trace, key: "buffers" | "events"): TraceRows | undefined {
  const rows = rowsOf.get(trace);
  return rows !== undefined && Object.getOwnPropertyDescriptor(trace, key)?.get !== undefined ? rows : undefined;
}

/** Whether a trace is a lazy one whose buffers or events are not built yet. */
export function isLazyPending(trace: Trace): boolean {
  return pending(trace, "buffers") !== undefined || pending(trace, "events") !== undefined;
}

/** How many buffers a trace has, without building a lazy trace's array. */
export function bufferCount(trace: Trace): number {
  return pending(trace, "buffers")?.bufferCount ?? trace.buffers.length;
}

/** How many events a trace has, without building a lazy trace's array. */
export function eventCount(trace: Trace): number {
  return pending(trace, "events")?.eventCount ?? trace.events.length;
}

/** `trace.buffers[i]` (undefined out of range), without building a lazy trace's array (then a new object each call). */
export function bufferAt(trace: Trace, i: number): TraceBuffer {
  const rows = pending(trace, "buffers");
  if (rows === undefined) return trace.buffers[i];
  return Number.isInteger(i) && i >= 0 && i < rows.bufferCount ? rows.buffer(i) : (undefined as unknown as TraceBuffer);
}

/** `trace.events[i]` (undefined out of range), without building a lazy trace's array (then a new object each call). */
export function eventAt(trace: Trace, i: number): TraceEvent {
  const rows = pending(trace, "events");
  if (rows === undefined) return trace.events[i];
  return Number.isInteger(i) && i >= 0 && i < rows.eventCount ? rows.event(i) : (undefined as unknown as TraceEvent);
}

/** Whether any buffer of the trace has a `phase`. */
export function hasBufferPhases(trace: Trace): boolean {
  const rows = pending(trace, "buffers");
  return rows === undefined ? trace.buffers.some((b) => b.phase !== undefined) : rows.hasBufferPhases;
}

/** Every event's `time` (ms) when every event has one (a finite number); undefined otherwise. */
export function eventTimes(trace: Trace): Float64Array | undefined {
  const rows = pending(trace, "events");
  if (rows !== undefined) return rows.times;
  const { events } = trace;
  const out = new Float64Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const t = events[i].time;
    if (typeof t !== "number" || !Number.isFinite(t)) return undefined;
    out[i] = t;
  }
  return out;
}
