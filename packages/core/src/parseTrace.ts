import { TraceError } from "./traceError.js";
import { bufferIndex } from "./bufferIndex.js";
import { applyLogicalFallback, cacheColumns, categoryIndex, viewBits } from "./traceColumns.js";
import { CATEGORIES, type Trace, type TraceBuffer, type TraceEvent, type TraceMark } from "./trace.js";


function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (typeof v === "number") return String(v);
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : String(v);
}

function checkBytes(path: string, v: unknown): void {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new TraceError(path, `bytes must be a non-negative integer, got ${describe(v)}`);
  }
}

/**
 * Validates a trace (a JSON string or an already parsed value) and returns it typed.
 * Unknown extra fields are kept, so `parseTrace(serializeTrace(t))` gives `t` back.
 *
 * @throws TraceError naming where and what, e.g. `events[812]: frees buffer 40, which is not allocated`.
 */
export function parseTrace(input: unknown): Trace {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new TraceError("", `parseTrace: not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isObject(value)) throw new TraceError("", `parseTrace: a trace is a JSON object, got ${describe(value)}`);
  if (value.format !== "hbmscope.trace") {
    throw new TraceError("format", `expected "hbmscope.trace", got ${describe(value.format)}`);
  }
  if (value.version !== 1) {
    throw new TraceError("version", `this hbmscope reads trace version 1, got ${describe(value.version)}`);
  }
  const meta = value.meta === undefined ? {} : value.meta;
  if (!isObject(meta)) throw new TraceError("meta", `must be an object, got ${describe(meta)}`);
  const { buffers, events } = value;
  const marks = value.marks === undefined ? [] : value.marks;
  if (!Array.isArray(buffers)) throw new TraceError("buffers", `must be an array, got ${describe(buffers)}`);
  if (!Array.isArray(events)) throw new TraceError("events", `must be an array, got ${describe(events)}`);
  if (!Array.isArray(marks)) throw new TraceError("marks", `must be an array, got ${describe(marks)}`);

  const nb = buffers.length;
  const ids = new Float64Array(nb);
  const bytes = new Float64Array(nb);
  const category = new Uint8Array(nb);
  const views = new Uint8Array(nb);
  let hasLogical = false;
  let hasKernelTemps = false;
  for (let i = 0; i < buffers.length; i++) {
    const b = buffers[i] as unknown;
    const path = `buffers[${i}]`;
    if (!isObject(b)) throw new TraceError(path, `a buffer is an object, got ${describe(b)}`);
    if (typeof b.id !== "number" || !Number.isSafeInteger(b.id) || b.id < 0) {
      throw new TraceError(path, `id must be a non-negative integer, got ${describe(b.id)}`);
    }
    checkBytes(path, b.bytes);
    const c = categoryIndex.get(b.category as string);
    if (c === undefined) {
      throw new TraceError(path, `unknown category ${describe(b.category)}; accepted: ${CATEGORIES.join(", ")}`);
    }
    if (b.view !== undefined && b.view !== "physical" && b.view !== "logical") {
      throw new TraceError(path, `view must be "physical" or "logical", got ${describe(b.view)}`);
    }
    if (b.kernelTemp !== undefined && typeof b.kernelTemp !== "boolean") {
      throw new TraceError(path, `kernelTemp must be a boolean, got ${describe(b.kernelTemp)}`);
    }
    if (b.kernelTemp === true && b.view === "logical") {
      throw new TraceError(path, `a kernel temporary cannot be a logical (tensor) buffer`);
    }
    for (const key of ["dtype", "op", "scope", "phase"] as const) {
      if (b[key] !== undefined && typeof b[key] !== "string") {
        throw new TraceError(path, `${key} must be a string, got ${describe(b[key])}`);
      }
    }
    if (b.shape !== undefined) {
      if (!Array.isArray(b.shape) || !b.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
        throw new TraceError(path, `shape must be an array of non-negative integers`);
      }
    }
    ids[i] = b.id;
    bytes[i] = b.bytes as number;
    category[i] = c;
    const v = (views[i] = viewBits(b.view, b.kernelTemp));
    if (v === 1) hasLogical = true;
    else if (v === 4) hasKernelTemps = true;
  }
  applyLogicalFallback(views, hasLogical);
  const indexOf = bufferIndex(ids);
  for (let i = 0; i < buffers.length; i++) {
    if (indexOf(ids[i]) !== i) {
      throw new TraceError(`buffers[${i}]`, `duplicate id ${ids[i]} (also buffers[${indexOf(ids[i])}])`);
    }
  }

  // 0 = never allocated, 1 = live, 2 = freed
  const state = new Uint8Array(nb);
  const eventBuffer = new Int32Array(events.length);
  const eventAlloc = new Uint8Array(events.length);
  let lastTime = -Infinity;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as unknown;
    if (!isObject(e)) throw new TraceError(`events[${i}]`, `an event is an object, got ${describe(e)}`);
    const k = indexOf(e.buffer as number);
    if (typeof e.buffer !== "number" || k < 0) {
      throw new TraceError(`events[${i}]`, `refers to buffer ${describe(e.buffer)}, which no buffer has as id`);
    }
    if (e.time !== undefined) {
      if (typeof e.time !== "number" || !Number.isFinite(e.time)) {
        throw new TraceError(`events[${i}]`, `time must be a finite number, got ${describe(e.time)}`);
      }
      if (e.time < lastTime) {
        throw new TraceError(`events[${i}]`, `time ${e.time} goes back before the previous event's ${lastTime}`);
      }
      lastTime = e.time;
    }
    eventBuffer[i] = k;
    if (e.kind === "alloc") {
      eventAlloc[i] = 1;
      if (state[k] !== 0) {
        throw new TraceError(
          `events[${i}]`,
          `allocates buffer ${e.buffer} again (${state[k] === 1 ? "it is live" : "it was freed"}); give each allocation its own buffer id`,
        );
      }
      state[k] = 1;
    } else if (e.kind === "free") {
      if (state[k] !== 1) {
        throw new TraceError(
          `events[${i}]`,
          `frees buffer ${e.buffer}, which is not allocated${state[k] === 2 ? " (double free)" : ""}`,
        );
      }
      state[k] = 2;
    } else {
      throw new TraceError(`events[${i}]`, `kind must be "alloc" or "free", got ${describe(e.kind)}`);
    }
  }

  for (let i = 0; i < marks.length; i++) {
    const m = marks[i] as unknown;
    const path = `marks[${i}]`;
    if (!isObject(m)) throw new TraceError(path, `a mark is an object, got ${describe(m)}`);
    if (typeof m.at !== "number" || !Number.isSafeInteger(m.at) || m.at < 0 || m.at > events.length) {
      throw new TraceError(path, `at must be an event index in 0..${events.length}, got ${describe(m.at)}`);
    }
    if (typeof m.label !== "string") throw new TraceError(path, `label must be a string, got ${describe(m.label)}`);
    if (m.kind !== undefined && typeof m.kind !== "string") {
      throw new TraceError(path, `kind must be a string, got ${describe(m.kind)}`);
    }
  }

  const trace = {
    ...(value as object),
    format: "hbmscope.trace",
    version: 1,
    meta: meta as Trace["meta"],
    buffers: buffers as TraceBuffer[],
    events: events as TraceEvent[],
    marks: marks as TraceMark[],
  } as Trace;
  cacheColumns(trace, { bytes, category, views, eventBuffer, eventAlloc, hasLogical, hasKernelTemps });
  return trace;
}
