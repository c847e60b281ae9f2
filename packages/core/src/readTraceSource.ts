import type { ByteSource } from "./interop/byteSource.js";
import { lazyTrace, type TraceRows } from "./lazyTrace.js";
import { ObjectColumns } from "./objectColumns.js";
import type { Trace, TraceBuffer, TraceEvent, TraceMark } from "./trace.js";
import { TraceError } from "./traceError.js";
import { describe, isObject, TraceValidator } from "./traceValidator.js";

/**
 * Reads a trace's JSON text from a file in chunks (a `ByteSource`) and validates it as
 * `parseTrace` does (same checks, same `TraceError`s), without ever holding the whole text or
 * its objects: each buffer and event is parsed on its own (`JSON.parse` of its few dozen bytes),
 * checked, and kept as columns (about 9 bytes a field); the result is a `lazyTrace`. For traces
 * too large for `parseTrace` (its text must fit one string, about 512 MiB), such as the trace of a
 * 1 GB PyTorch snapshot. Top-level fields may come in any order; a trace listing its events
 * before its buffers (hbmscope never writes one) holds the events as objects until the buffers
 * are read.
 *
 * @throws TraceError for what `parseTrace` refuses, and for text that is not JSON (naming the
 * character offset).
 */
export function readTraceSource(source: ByteSource): Trace {
  const text = new TextChunks(source);
  const check = new TraceValidator();
  const buffers = new ObjectColumns();
  const events = new ObjectColumns();
  let eventsFirst: unknown[] | undefined;
  let marks: unknown[] | undefined;
  const head: Record<string, unknown> = {};
  let sawBuffers = false;
  let sawEvents = false;

  text.skipSpace();
  if (text.peek() !== 0x7b) {
    const v = text.atEnd() ? undefined : text.value();
    throw new TraceError("", `parseTrace: a trace is a JSON object, got ${v === undefined ? "nothing" : describe(v)}`);
  }
  text.next();
  text.skipSpace();
  if (text.peek() === 0x7d) text.next();
  else {
    while (true) {
      text.skipSpace();
      if (text.peek() !== 0x22) text.fail("a key (a string)");
      const key = text.value() as string;
      text.skipSpace();
      if (text.next() !== 0x3a) text.fail('":"');
      text.skipSpace();
      const isArray = text.peek() === 0x5b;
      if (key === "buffers" && isArray) {
        sawBuffers = true;
        text.items((b, i) => {
          check.buffer(b, i);
          buffers.add(b as Record<string, unknown>);
        });
        check.endBuffers();
        if (eventsFirst) eventsFirst.forEach((e, i) => keepEvent(e, i));
        eventsFirst = undefined;
      } else if (key === "events" && isArray) {
        sawEvents = true;
        if (sawBuffers) text.items(keepEvent);
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
      text.skipSpace();
      const c = text.next();
      if (c === 0x7d) break;
      if (c !== 0x2c) text.fail('"," or "}"');
    }
  }
  text.skipSpace();
  if (!text.atEnd()) text.fail("the end of the text");

  function keepEvent(e: unknown, i: number) {
    check.event(e, i);
    events.add(e as Record<string, unknown>);
  }

  // The checks parseTrace makes on the whole object, in its order.
  if (head.format !== "hbmscope.trace") throw new TraceError("format", `expected "hbmscope.trace", got ${describe(head.format)}`);
  if (head.version !== 1) throw new TraceError("version", `this hbmscope reads trace version 1, got ${describe(head.version)}`);
  const meta = head.meta === undefined ? {} : head.meta;
  if (!isObject(meta)) throw new TraceError("meta", `must be an object, got ${describe(meta)}`);
  if (!sawBuffers) throw new TraceError("buffers", `must be an array, got ${describe(head.buffers)}`);
  if (!sawEvents) throw new TraceError("events", `must be an array, got ${describe(head.events)}`);
  if (marks === undefined && head.marks !== undefined) throw new TraceError("marks", `must be an array, got ${describe(head.marks)}`);
  marks ??= [];
  marks.forEach((m, i) => check.mark(m, i));

  const times = events.numbers("time");
  const rows: TraceRows = {
    bufferCount: buffers.count,
    eventCount: events.count,
    buffer: (i) => buffers.get(i) as TraceBuffer,
    event: (i) => events.get(i) as TraceEvent,
    hasBufferPhases: buffers.has("phase"),
    times,
  };
  const trace = lazyTrace(meta as Trace["meta"], marks as TraceMark[], rows, check.columns());
  for (const key of Object.keys(head)) {
    if (key === "format" || key === "version" || key === "meta" || key === "marks") continue;
    Object.defineProperty(trace, key, { value: head[key], enumerable: true, writable: true, configurable: true });
  }
  return trace;
}

/** JSON text decoded chunk by chunk, read with a cursor; what is behind the cursor is let go. */
class TextChunks {
  private readonly chunks: Iterator<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private s = "";
  private i = 0;
  /** Characters let go before `s`'s start. */
  private base = 0;
  private ended = false;
  /** Where the value being read starts (kept when more text is read); -1 when none is. */
  private keep = -1;

  constructor(source: ByteSource) {
    this.chunks = source()[Symbol.iterator]();
  }

  /** Makes at least one more character readable (keeping the text from `keep` on); false at the end. */
  private more(): boolean {
    while (!this.ended) {
      const next = this.chunks.next();
      let add: string;
      if (next.done) {
        this.ended = true;
        add = this.decoder.decode();
      } else add = this.decoder.decode(next.value, { stream: true });
      if (add.length === 0) continue;
      const from = this.keep >= 0 ? this.keep : this.i;
      this.base += from;
      this.s = this.s.slice(from) + add;
      this.i -= from;
      if (this.keep >= 0) this.keep = 0;
      return true;
    }
    return false;
  }

  peek(): number {
    if (this.i >= this.s.length && !this.more()) return -1;
    return this.s.charCodeAt(this.i);
  }

  next(): number {
    const c = this.peek();
    if (c >= 0) this.i++;
    return c;
  }

  atEnd(): boolean {
    return this.peek() < 0;
  }

  skipSpace(): void {
    for (let c = this.peek(); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = this.peek()) this.i++;
  }

  fail(expected: string): never {
    const c = this.peek();
    const got = c < 0 ? "the end of the text" : JSON.stringify(String.fromCharCode(c));
    throw new TraceError("", `parseTrace: not valid JSON (expected ${expected} at character ${this.base + this.i}, got ${got})`);
  }

  /** The next JSON value, parsed (`JSON.parse` of its text). */
  value(): unknown {
    this.keep = this.i;
    this.skipValue();
    const from = this.keep;
    this.keep = -1;
    try {
      return JSON.parse(this.s.slice(from, this.i));
    } catch (e) {
      throw new TraceError("", `parseTrace: not valid JSON (${(e as Error).message} in the value at character ${this.base + from})`);
    }
  }

  /**
   * Moves past the JSON value that starts at the cursor: nesting and strings are followed, not
   * checked (`JSON.parse` checks the value's text afterwards).
   */
  private skipValue(): void {
    let depth = 0;
    let inString = false;
    let length = 0;
    while (true) {
      if (this.i >= this.s.length && !this.more()) {
        if (depth === 0 && !inString && length > 0) return;
        this.fail("a complete value");
      }
      const c = this.s.charCodeAt(this.i);
      if (inString) {
        if (c === 0x5c) {
          // A backslash: the next character is escaped (it may be in the next chunk).
          this.i++;
          if (this.i >= this.s.length && !this.more()) this.fail("a complete string");
        } else if (c === 0x22) inString = false;
        this.i++;
        length++;
        if (!inString && depth === 0) return;
        continue;
      }
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) return; // the end of the enclosing container
        if (--depth === 0) {
          this.i++;
          return;
        }
      } else if (depth === 0 && (c === 0x2c || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) return;
      this.i++;
      length++;
    }
  }

  /**
   * Reads an array at the cursor, handing each item (parsed) and its index to `each`. Items are
   * parsed in batches (one `JSON.parse` of a few thousand items' text), since per-item calls cost
   * more than the parsing itself.
   */
  items(each: (item: unknown, index: number) => void): void {
    this.next(); // [
    this.skipSpace();
    if (this.peek() === 0x5d) {
      this.next();
      return;
    }
    let k = 0;
    let closed = false;
    while (!closed) {
      // One batch: from the first item's start to the last one's end, separators included.
      this.keep = this.i;
      let inBatch = 0;
      // The batch's end, from `keep` (reading more text moves the text, and `keep` with it).
      let length = 0;
      while (inBatch < BATCH) {
        this.skipSpace();
        this.skipValue();
        length = this.i - this.keep;
        inBatch++;
        this.skipSpace();
        const c = this.next();
        if (c === 0x5d) {
          closed = true;
          break;
        }
        if (c !== 0x2c) this.fail('"," or "]"');
      }
      const from = this.keep;
      const text = this.s.slice(from, from + length);
      this.keep = -1;
      let batch: unknown[];
      try {
        batch = JSON.parse(`[${text}]`) as unknown[];
      } catch {
        batch = parseEach(text, this.base + from);
      }
      for (const item of batch) each(item, k++);
    }
  }
}

/** Items of a batch that did not parse as a whole, one by one, to name the one that is wrong. */
function parseEach(text: string, at: number): unknown[] {
  const inner = new TextChunks(() => [new TextEncoder().encode(`[${text}]`)]);
  const out: unknown[] = [];
  inner.next();
  for (;;) {
    inner.skipSpace();
    try {
      out.push(inner.value());
    } catch (e) {
      throw new TraceError("", `${(e as Error).message.replace(/ at character (\d+)\)$/, (_, n) => ` at character ${Number(n) - 1 + at})`)}`);
    }
    inner.skipSpace();
    if (inner.next() !== 0x2c) return out;
  }
}

/** Items parsed per `JSON.parse` call. */
const BATCH = 4096;
