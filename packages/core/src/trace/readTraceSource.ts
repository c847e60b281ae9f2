import type { ByteSource } from "../interop/byteSource.js";
import { lazyTrace, type TraceRows } from "./lazyTrace.js";
import type { ObjectColumns } from "./objectColumns.js";
import { EventColumns } from "./eventColumns.js";
import type { Trace, TraceBuffer, TraceEvent, TraceMark } from "./trace.js";
import { JsonText } from "../json/jsonText.js";
import { scanTraceEvent, type ScannedEvent } from "../json/scanTraceEvent.js";
import { BufferRows } from "./bufferRows.js";
import { checkCounters } from "../counters/checkCounters.js";
import { TraceError } from "./traceError.js";
import { describe, isObject, TraceValidator } from "./traceValidator.js";

/** How `readTraceSource` keeps a trace's buffers. */
export interface ReadTraceSourceOptions {
  /**
   * `"kept"` (the default): every buffer's fields are kept as they are read (about 9 bytes a
   * field). `"reread"`: only the columns are kept (sizes, categories, views); the first call that
   * needs a buffer's fields (`bufferAt`, `trace.buffers`, `serializeTrace`) reads the source's
   * buffers again, once, and throws a TraceError if they are not the buffers first read (the file
   * changed). For callers that seldom need them, such as `hbmscope replay` (only an out-of-memory
   * report names a buffer): on a 1M-event trace of 500k buffers about 0.2 s and 60 MiB less.
   */
  rows?: "kept" | "reread";
}

/**
 * Reads a trace's JSON text from a file in chunks (a `ByteSource`) and validates it as
 * `parseTrace` does (same checks, same `TraceError`s), without ever holding the whole text or
 * its objects: buffers and events as hbmscope writes them are read straight from the text
 * (`FlatObjectScanner`, `scanTraceEvent`), anything else is parsed a few thousand items at a time;
 * each is checked one by one and kept as columns (about 9 bytes a field, 17 bytes a plain event);
 * the result is a `lazyTrace`. Faster and lighter than `JSON.parse` + `parseTrace` on the traces
 * hbmscope writes, and for traces too large for `parseTrace` (its text must fit one string, about
 * 512 MiB), such as the trace of a 1 GB PyTorch snapshot. Top-level fields may come in any order;
 * a trace listing its events
 * before its buffers (hbmscope never writes one) holds the events as objects until the buffers
 * are read. Where `format` and `version` come first (as hbmscope writes them), they are checked
 * before any item, so the first error is `parseTrace`'s; a top-level field given twice is refused
 * (`JSON.parse` would keep the last).
 *
 * @throws TraceError for what `parseTrace` refuses, and for text that is not JSON (naming the
 * character offset).
 */
export function readTraceSource(source: ByteSource, options: ReadTraceSourceOptions = {}): Trace {
  const rowsMode = options.rows ?? "kept";
  if (rowsMode !== "kept" && rowsMode !== "reread") throw new TypeError(`readTraceSource: rows must be "kept" or "reread", got ${JSON.stringify(rowsMode)}`);
  const text = new JsonText(source, (message) => new TraceError("", `parseTrace: ${message}`));
  const check = new TraceValidator();
  const buffers = new BufferRows(rowsMode === "kept");
  const events = new EventColumns();
  let eventsFirst: unknown[] | undefined;
  let marks: unknown[] | undefined;
  const head: Record<string, unknown> = {};
  let sawBuffers = false;
  let sawEvents = false;
  let headChecked = false;
  const seen = new Set<string>();

  // Events as hbmscope writes them are read without JSON.parse (`scanTraceEvent`), then checked
  // and kept as plain events (`EventColumns`): the same checks, the same events given back.
  const scanned: ScannedEvent = { kind: "alloc", buffer: 0, time: 0 };
  function fastEvent(s: string, at: number, i: number): number {
    const end = scanTraceEvent(s, at, scanned);
    if (end < 0) return -1;
    const time = scanned.time;
    check.eventFields(scanned.kind, scanned.buffer, time === time ? time : undefined, i);
    events.addPlain(scanned.kind === "alloc", scanned.buffer, time);
    return end;
  }

  // Buffers as JSON.stringify writes them (flat objects, no white space) are read without
  // JSON.parse too (`FlatObjectScanner`), checked by their fields and kept by their values.
  function fastBuffer(s: string, from: number, i: number): number {
    const end = buffers.scanner.scan(s, from);
    if (end < 0) return -1;
    const slots = buffers.slots();
    const f = (k: number) => buffers.field(slots, k);
    check.bufferFields(f(0), f(1), f(2), f(3), f(4), f(5), f(6), f(7), f(8), f(9), i);
    buffers.addScanned(slots);
    return end;
  }

  text.skipSpace();
  if (text.peek() !== 0x7b) {
    const v = text.atEnd() ? undefined : text.value();
    throw new TraceError("", `parseTrace: a trace is a JSON object, got ${v === undefined ? "nothing" : describe(v)}`);
  }
  text.objectOf((key) => {
    if (seen.has(key)) throw new TraceError(key, "given twice in the trace");
    seen.add(key);
    const isArray = text.peek() === 0x5b;
    if (isArray && !headChecked && (key === "buffers" || key === "events" || key === "marks") && "format" in head && "version" in head) checkHead();
    if (key === "buffers" && isArray) {
      sawBuffers = true;
      text.items((b, i) => {
        check.buffer(b, i);
        buffers.addObject(b as Record<string, unknown>);
      }, fastBuffer);
      check.endBuffers();
      if (eventsFirst) eventsFirst.forEach((e, i) => keepEvent(e, i));
      eventsFirst = undefined;
    } else if (key === "events" && isArray) {
      sawEvents = true;
      if (sawBuffers) text.items(keepEvent, fastEvent);
      else {
        eventsFirst = [];
        text.items((e) => eventsFirst!.push(e));
      }
    } else if (key === "marks" && isArray) {
      marks = [];
      text.items((m) => marks!.push(m));
    } else {
      // defineProperty: a `__proto__` key stays a field, as JSON.parse makes it.
      Object.defineProperty(head, key, { value: text.value(), enumerable: true, writable: true, configurable: true });
    }
  });
  text.end();

  function keepEvent(e: unknown, i: number) {
    check.event(e, i);
    events.add(e as Record<string, unknown>);
  }


  // The checks parseTrace makes on the whole object, in its order.
  function checkHead() {
    headChecked = true;
    if (head.format !== "hbmscope.trace") throw new TraceError("format", `expected "hbmscope.trace", got ${describe(head.format)}`);
    if (head.version !== 1) throw new TraceError("version", `this hbmscope reads trace version 1, got ${describe(head.version)}`);
    if (head.meta !== undefined && !isObject(head.meta)) throw new TraceError("meta", `must be an object, got ${describe(head.meta)}`);
  }
  checkHead();
  const meta = head.meta === undefined ? {} : head.meta;
  if (!sawBuffers) throw new TraceError("buffers", `must be an array, got ${describe(head.buffers)}`);
  if (!sawEvents) throw new TraceError("events", `must be an array, got ${describe(head.events)}`);
  if (marks === undefined && head.marks !== undefined) throw new TraceError("marks", `must be an array, got ${describe(head.marks)}`);
  marks ??= [];
  marks.forEach((m, i) => check.mark(m, i));

  const times = events.times();
  let kept = buffers.columns;
  const rows: TraceRows = {
    bufferCount: buffers.count,
    eventCount: events.count,
    buffer: (i) => (kept ??= rereadBuffers(source, buffers)).get(i) as TraceBuffer,
    event: (i) => events.get(i) as TraceEvent,
    hasBufferPhases: buffers.hasPhase,
    times,
  };
  checkCounters(head.counters);
  const trace = lazyTrace(meta as Trace["meta"], marks as TraceMark[], rows, check.columns());
  for (const key of Object.keys(head)) {
    if (key === "format" || key === "version" || key === "meta" || key === "marks") continue;
    Object.defineProperty(trace, key, { value: head[key], enumerable: true, writable: true, configurable: true });
  }
  return trace;
}


/** Thrown to stop reading once the buffers are read again. */
const DONE = Symbol("buffers read");

/**
 * The buffers of `source` read again, as rows, for a trace read with `rows: "reread"`; throws a
 * TraceError unless they are the buffers `first` read (the same count and sums).
 */
function rereadBuffers(source: ByteSource, first: BufferRows): ObjectColumns {
  const changed = (why: string) => new TraceError("buffers", `changed since the trace was read (${why}); read it again`);
  const text = new JsonText(source, (message) => changed(message));
  const again = new BufferRows(true);
  let found = false;
  try {
    text.skipSpace();
    if (text.peek() !== 0x7b) throw changed("not a JSON object now");
    text.objectOf((key) => {
      if (key !== "buffers" || text.peek() !== 0x5b) {
        text.skip();
        return;
      }
      found = true;
      text.items(
        (b) => {
          if (b === null || typeof b !== "object" || Array.isArray(b)) throw changed("a buffer is not an object now");
          again.addObject(b as Record<string, unknown>);
        },
        (s, from) => {
          const end = again.scanner.scan(s, from);
          if (end >= 0) again.addScanned(again.slots());
          return end;
        },
      );
      throw DONE;
    });
  } catch (e) {
    if (e !== DONE) throw e instanceof TraceError ? e : changed((e as Error).message);
  }
  if (!found || !again.sameAs(first)) throw changed(found ? `${again.count} buffers now, or other ids or sizes` : "no buffers array now");
  return again.columns!;
}
