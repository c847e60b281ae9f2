import type { Trace, TraceBuffer, TraceMark, TraceMeta } from "./trace.js";

/** Builds a trace event by event; used by the tracer, the simulator and importers. */
export interface TraceBuilder {
  /** Adds a buffer and its alloc event; returns the buffer id. */
  alloc(buffer: Omit<TraceBuffer, "id">, time?: number): number;
  /** Adds the free event of a live buffer. */
  free(id: number, time?: number): void;
  /** Adds a mark before the next event. */
  mark(label: string, kind?: TraceMark["kind"]): void;
  /** Number of events so far. */
  readonly length: number;
  /** The trace so far (the builder can go on afterwards). */
  build(): Trace;
}

/** A trace builder. Ids are dense (0, 1, 2, ...), which keeps every later pass fast. */
export function traceBuilder(meta: TraceMeta = {}): TraceBuilder {
  const buffers: TraceBuffer[] = [];
  const events: Trace["events"] = [];
  const marks: TraceMark[] = [];
  const live = new Set<number>();
  return {
    alloc(buffer, time) {
      const id = buffers.length;
      buffers.push({ id, ...buffer } as TraceBuffer);
      events.push(time === undefined ? { kind: "alloc", buffer: id } : { kind: "alloc", buffer: id, time });
      live.add(id);
      return id;
    },
    free(id, time) {
      if (!live.delete(id)) throw new Error(`traceBuilder.free: buffer ${id} is not allocated`);
      events.push(time === undefined ? { kind: "free", buffer: id } : { kind: "free", buffer: id, time });
    },
    mark(label, kind) {
      marks.push(kind === undefined ? { at: events.length, label } : { at: events.length, label, kind });
    },
    get length() {
      return events.length;
    },
    build() {
      return { format: "hbmscope.trace", version: 1, meta, buffers: buffers.slice(), events: events.slice(), marks: marks.slice() };
    },
  };
}
