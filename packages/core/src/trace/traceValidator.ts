import { bytesProblem } from "./bytesProblem.js";
import { bufferIndex, type BufferIndex } from "./bufferIndex.js";
import { Grow } from "./growArray.js";
import { CATEGORIES } from "./trace.js";
import { applyLogicalFallback, categoryIndex, viewBits, type TraceColumns } from "./traceColumns.js";
import { TraceError } from "./traceError.js";

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A value as an error message shows it: short, never the whole thing. */
export function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (typeof v === "number") return String(v);
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : String(v);
}

function notString(i: number, key: string, v: unknown): never {
  throw new TraceError(`buffers[${i}]`, `${key} must be a string, got ${describe(v)}`);
}

/**
 * The checks of `parseTrace`, one buffer, event and mark at a time (buffers first, then events,
 * then marks), building the trace's columns as it goes: for `parseTrace` and for readers that get
 * the items one by one (`readTraceSource`). Throws the `TraceError` `parseTrace` documents.
 */
export class TraceValidator {
  private readonly ids: Grow<Float64Array>;
  private readonly bytes: Grow<Float64Array>;
  private readonly category: Grow<Uint8Array>;
  private readonly views: Grow<Uint8Array>;
  private hasLogical = false;
  private hasKernelTemps = false;
  private indexOf: BufferIndex | undefined;
  private state: Uint8Array | undefined;
  private readonly eventBuffer: Grow<Int32Array>;
  private readonly eventAlloc: Grow<Uint8Array>;
  private lastTime = -Infinity;
  private done: TraceColumns | undefined;

  constructor(buffers = 1024, events = 1024) {
    this.ids = new Grow(Float64Array, buffers);
    this.bytes = new Grow(Float64Array, buffers);
    this.category = new Grow(Uint8Array, buffers);
    this.views = new Grow(Uint8Array, buffers);
    this.eventBuffer = new Grow(Int32Array, events);
    this.eventAlloc = new Grow(Uint8Array, events);
  }

  /** Buffers checked so far. */
  get bufferCount(): number {
    return this.ids.count;
  }

  /** Events checked so far. */
  get eventCount(): number {
    return this.eventBuffer.count;
  }

  /** Checks `buffers[i]` (the next one). */
  buffer(b: unknown, i: number): void {
    if (!isObject(b)) throw new TraceError(`buffers[${i}]`, `a buffer is an object, got ${describe(b)}`);
    this.bufferFields(b.id, b.bytes, b.category, b.view, b.kernelTemp, b.dtype, b.op, b.scope, b.phase, b.shape, i);
  }

  /**
   * Checks the fields of `buffers[i]`, an object (each undefined when it has none), as `buffer`
   * does: for readers that read the fields without making the object.
   */
  bufferFields(id: unknown, bytes: unknown, category: unknown, view: unknown, kernelTemp: unknown, dtype: unknown, op: unknown, scope: unknown, phase: unknown, shape: unknown, i: number): void {
    if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) {
      throw new TraceError(`buffers[${i}]`, `id must be a non-negative integer, got ${describe(id)}`);
    }
    const wrong = bytesProblem(bytes);
    if (wrong !== undefined) throw new TraceError(`buffers[${i}]`, `bytes ${wrong}`);
    const c = categoryIndex.get(category as string);
    if (c === undefined) {
      throw new TraceError(`buffers[${i}]`, `unknown category ${describe(category)}; accepted: ${CATEGORIES.join(", ")}`);
    }
    if (view !== undefined && view !== "physical" && view !== "logical") {
      throw new TraceError(`buffers[${i}]`, `view must be "physical" or "logical", got ${describe(view)}`);
    }
    if (kernelTemp !== undefined && typeof kernelTemp !== "boolean") {
      throw new TraceError(`buffers[${i}]`, `kernelTemp must be a boolean, got ${describe(kernelTemp)}`);
    }
    if (kernelTemp === true && view === "logical") {
      throw new TraceError(`buffers[${i}]`, `a kernel temporary cannot be a logical (tensor) buffer`);
    }
    if (dtype !== undefined && typeof dtype !== "string") notString(i, "dtype", dtype);
    if (op !== undefined && typeof op !== "string") notString(i, "op", op);
    if (scope !== undefined && typeof scope !== "string") notString(i, "scope", scope);
    if (phase !== undefined && typeof phase !== "string") notString(i, "phase", phase);
    if (shape !== undefined) {
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
        throw new TraceError(`buffers[${i}]`, `shape must be an array of non-negative integers`);
      }
    }
    this.ids.push(id);
    this.bytes.push(bytes as number);
    this.category.push(c);
    const v = viewBits(view, kernelTemp);
    this.views.push(v);
    if (v === 1) this.hasLogical = true;
    else if (v === 4) this.hasKernelTemps = true;
  }

  /** After the last buffer: ids must be unique. */
  endBuffers(): void {
    const nb = this.ids.count;
    const ids = this.ids.items.subarray(0, nb);
    const indexOf = bufferIndex(ids);
    for (let i = 0; i < nb; i++) {
      if (indexOf(ids[i]) !== i) throw new TraceError(`buffers[${i}]`, `duplicate id ${ids[i]} (also buffers[${indexOf(ids[i])}])`);
    }
    this.indexOf = indexOf;
    // 0 = never allocated, 1 = live, 2 = freed
    this.state = new Uint8Array(nb);
  }

  /** Checks `events[i]` (the next one); after `endBuffers`. */
  event(e: unknown, i: number): void {
    if (!isObject(e)) throw new TraceError(`events[${i}]`, `an event is an object, got ${describe(e)}`);
    this.eventFields(e.kind, e.buffer, e.time, i);
  }

  /** Checks the fields of `events[i]`, an object (`time` undefined when it has none); after `endBuffers`. */
  eventFields(kind: unknown, buffer: unknown, time: unknown, i: number): void {
    const indexOf = this.indexOf!;
    const state = this.state!;
    const k = indexOf(buffer as number);
    if (typeof buffer !== "number" || k < 0) {
      throw new TraceError(`events[${i}]`, `refers to buffer ${describe(buffer)}, which no buffer has as id`);
    }
    if (time !== undefined) {
      if (typeof time !== "number" || !Number.isFinite(time)) {
        throw new TraceError(`events[${i}]`, `time must be a finite number, got ${describe(time)}`);
      }
      if (time < this.lastTime) {
        throw new TraceError(`events[${i}]`, `time ${time} goes back before the previous event's ${this.lastTime}`);
      }
      this.lastTime = time;
    }
    if (kind === "alloc") {
      if (state[k] !== 0) {
        throw new TraceError(`events[${i}]`, `allocates buffer ${buffer} again (${state[k] === 1 ? "it is live" : "it was freed"}); give each allocation its own buffer id`);
      }
      state[k] = 1;
    } else if (kind === "free") {
      if (state[k] !== 1) throw new TraceError(`events[${i}]`, `frees buffer ${buffer}, which is not allocated${state[k] === 2 ? " (double free)" : ""}`);
      state[k] = 2;
    } else {
      throw new TraceError(`events[${i}]`, `kind must be "alloc" or "free", got ${describe(kind)}`);
    }
    this.eventBuffer.push(k);
    this.eventAlloc.push(kind === "alloc" ? 1 : 0);
  }

  /** Checks `marks[i]`; after the last event. */
  mark(m: unknown, i: number): void {
    const path = `marks[${i}]`;
    const ne = this.eventBuffer.count;
    if (!isObject(m)) throw new TraceError(path, `a mark is an object, got ${describe(m)}`);
    if (typeof m.at !== "number" || !Number.isSafeInteger(m.at) || m.at < 0 || m.at > ne) {
      throw new TraceError(path, `at must be an event index in 0..${ne}, got ${describe(m.at)}`);
    }
    if (typeof m.label !== "string") throw new TraceError(path, `label must be a string, got ${describe(m.label)}`);
    if (m.kind !== undefined && typeof m.kind !== "string") throw new TraceError(path, `kind must be a string, got ${describe(m.kind)}`);
  }

  /** The columns of everything checked (once: the growing arrays are handed over). */
  columns(): TraceColumns {
    if (this.done) return this.done;
    const views = this.views.trim();
    applyLogicalFallback(views, this.hasLogical);
    this.done = {
      bytes: this.bytes.trim(),
      category: this.category.trim(),
      views,
      eventBuffer: this.eventBuffer.trim(),
      eventAlloc: this.eventAlloc.trim(),
      hasLogical: this.hasLogical,
      hasKernelTemps: this.hasKernelTemps,
    };
    this.ids.release();
    this.state = undefined;
    return this.done;
  }
}
