import { TraceError } from "./traceError.js";
import { cacheColumns } from "./traceColumns.js";
import type { Trace, TraceBuffer, TraceEvent, TraceMark } from "./trace.js";
import { describe, isObject, TraceValidator } from "./traceValidator.js";
import { checkCounters } from "../counters/checkCounters.js";

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

  const check = new TraceValidator(buffers.length, events.length);
  for (let i = 0; i < buffers.length; i++) check.buffer(buffers[i], i);
  check.endBuffers();
  for (let i = 0; i < events.length; i++) check.event(events[i], i);
  for (let i = 0; i < marks.length; i++) check.mark(marks[i], i);
  checkCounters(value.counters);

  const trace = {
    ...(value as object),
    format: "hbmscope.trace",
    version: 1,
    meta: meta as Trace["meta"],
    buffers: buffers as TraceBuffer[],
    events: events as TraceEvent[],
    marks: marks as TraceMark[],
  } as Trace;
  cacheColumns(trace, check.columns());
  return trace;
}
