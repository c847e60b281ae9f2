import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { bufferAt, bufferCount, cachingAllocator, eventCount, hasBufferPhases, ideal, replay, isLazyPending, parseTrace, readTraceSource, serializeTrace, timeline, traceBuilder, TraceError, type ByteSource, type Trace } from "../../src/index.js";
import { traceArbitrary } from "../../src/testing.js";

// Through JSON once: JSON has no -0.
const json = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

/** Traces with extra fields (top level, buffers, events, meta) and scopes that need escapes. */
const traces: fc.Arbitrary<Trace> = fc
  .tuple(
    fc.oneof(traceArbitrary(), traceArbitrary({ views: true, phaseMarks: false })),
    fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => !["format", "version", "meta", "buffers", "events", "marks"].includes(k)), json, { maxKeys: 3 }),
    fc.option(json, { nil: undefined }),
  )
  .map(([t, extra, note]) => {
    // Every other buffer with a scope that needs escapes (and the note); some with a shape, a
    // dtype and a phase, in one of two key orders; a few with numbers JSON writes in other forms.
    const buffers = t.buffers.map((b, i) => {
      if (i % 2 === 0) return { ...b, scope: `é/"\\\n\u2028/😀/${i}`, ...(note === undefined ? {} : { note }) };
      if (i % 3 === 1) return { ...b, dtype: "float32", shape: i % 9 === 1 ? [] : [i, 4096], phase: "forward", dims: [i, 1e21, 0.5, -0, 123456789012345678] };
      if (i % 5 === 3) return { phase: "backward", flag: i % 2 === 0, gone: null, ratio: -1.5e-7, offset: -i, ...b, shape: [i] };
      return b;
    });
    const events = t.events.map((e, i) => (note !== undefined && i % 3 === 0 ? { ...e, note } : e));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(extra)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return parseTrace({ ...out, ...t, meta: { ...t.meta, note }, buffers, events });
  });

/** `text`'s UTF-8 bytes as a ByteSource cut at `cuts` (so cuts fall inside characters too). */
function chunked(text: string, cuts: number[]): ByteSource {
  const bytes = new TextEncoder().encode(text);
  const at = [0, ...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
  return () => at.slice(1).map((end, i) => bytes.slice(at[i], end));
}

/** What reading gives: the trace as parseTrace's plain data, or the TraceError's message. */
function outcome(read: () => Trace): unknown {
  try {
    const t = read();
    return { trace: JSON.parse(serializeTrace(t)) };
  } catch (e) {
    if (e instanceof TraceError) return { error: e.message };
    throw e;
  }
}

const cutsOf = fc.array(fc.nat(), { maxLength: 12 });

describe("readTraceSource", () => {
  test.prop([traces, cutsOf, fc.constantFrom(0, 2)])("readTraceSource() reads any chunking of a trace's text (compact or indented) as parseTrace does", (t, cuts, indent) => {
    const text = serializeTrace(t, { indent });
    const read = readTraceSource(chunked(text, cuts));
    const parsed = parseTrace(text);
    expect(isLazyPending(read)).toBe(true);
    expect(timeline(read)).toEqual(timeline(parsed));
    expect(serializeTrace(read)).toBe(serializeTrace(parsed));
    expect(isLazyPending(read)).toBe(true);
    expect({ ...read }).toEqual({ ...parsed });
  });

  test.prop([traces, cutsOf, fc.constantFrom(0, 2)])(
    "readTraceSource(source, { rows: \"reread\" }) gives the trace parseTrace gives, reading the buffers again only when their fields are asked for",
    (t, cuts, indent) => {
      const text = serializeTrace(t, { indent });
      let passes = 0;
      const source = chunked(text, cuts);
      const counted = () => {
        passes++;
        return source();
      };
      const read = readTraceSource(counted, { rows: "reread" });
      const parsed = parseTrace(text);
      expect(passes).toBe(1);
      expect([bufferCount(read), eventCount(read), hasBufferPhases(read)]).toEqual([bufferCount(parsed), eventCount(parsed), hasBufferPhases(parsed)]);
      expect(replay(read, cachingAllocator()).peaks).toEqual(replay(parsed, cachingAllocator()).peaks);
      expect(passes).toBe(1);
      expect(timeline(read)).toEqual(timeline(parsed));
      expect(serializeTrace(read)).toBe(serializeTrace(parsed));
      expect({ ...read }).toEqual({ ...parsed });
      // Read again once at most, whatever asked for the fields.
      expect(passes).toBeLessThanOrEqual(2);
    },
  );

  it("readTraceSource(source, { rows: \"reread\" }) throws a TraceError naming the change when the buffers read again differ", () => {
    const b = traceBuilder({ source: "test" });
    const x = b.alloc({ bytes: 4096, category: "weight", op: "param" });
    b.alloc({ bytes: 512, category: "activation", op: "matmul" });
    b.free(x);
    const first = serializeTrace(b.build());
    const variants = [first.replace('"bytes":512', '"bytes":513'), first.replace('"id":1', '"id":5').replace('"buffer":1', '"buffer":5'), first.replace(/"buffers":\[.*?\],"events"/, '"buffers":[],"events"'), "[]", first.replace('"buffers":[', '"other":[')];
    for (const second of variants) {
      let pass = 0;
      const source: ByteSource = () => [new TextEncoder().encode(pass++ === 0 ? first : second)];
      const read = readTraceSource(source, { rows: "reread" });
      expect(replay(read, ideal()).peaks.reserved.bytes).toBe(4608);
      expect(() => bufferAt(read, 0), second.slice(0, 60)).toThrow(TraceError);
      expect(() => bufferAt(read, 0)).toThrow(/^buffers: changed since the trace was read \(.+\); read it again$/);
    }
    // Events, marks and other fields may differ: only the buffers are read again.
    let pass = 0;
    const same: ByteSource = () => [new TextEncoder().encode(pass++ === 0 ? first : first.replace('"kind":"free","buffer":0', '"kind":"free","buffer":1'))];
    expect(bufferAt(readTraceSource(same, { rows: "reread" }), 1)).toEqual({ id: 1, bytes: 512, category: "activation", op: "matmul" });
    expect(() => readTraceSource(same, { rows: "later" as never })).toThrow('readTraceSource: rows must be "kept" or "reread", got "later"');
  });

  test.prop([traces, fc.shuffledSubarray(["format", "version", "meta", "buffers", "events", "marks"], { minLength: 6, maxLength: 6 }), cutsOf])(
    "readTraceSource() takes the top-level fields in any order, events before buffers too",
    (t, order, cuts) => {
      const reordered: Record<string, unknown> = {};
      for (const key of order) reordered[key] = (t as unknown as Record<string, unknown>)[key];
      const text = JSON.stringify({ ...t, ...reordered });
      expect(outcome(() => readTraceSource(chunked(text, cuts)))).toEqual(outcome(() => parseTrace(text)));
    },
  );

  const mutation = fc.record({
    part: fc.constantFrom("buffers", "events", "marks"),
    index: fc.nat(),
    field: fc.constantFrom("id", "bytes", "category", "view", "kernelTemp", "op", "shape", "buffer", "kind", "time", "at", "label"),
    value: fc.constantFrom(-1, 1.5, 999999, "x", null, true, [1, -2], {}),
  });
  test.prop([traces, fc.array(mutation, { minLength: 1, maxLength: 3 }), cutsOf])("readTraceSource() refuses what parseTrace refuses, with the same message", (t, edits, cuts) => {
    const value = JSON.parse(serializeTrace(t)) as Record<string, Record<string, unknown>[]>;
    for (const e of edits) {
      const items = value[e.part];
      if (items.length > 0) items[e.index % items.length][e.field] = e.value;
    }
    const text = JSON.stringify(value);
    expect(outcome(() => readTraceSource(chunked(text, cuts)))).toEqual(outcome(() => parseTrace(text)));
  });

  test.prop([traces, fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 127 }) }), { minLength: 1, maxLength: 4 }), cutsOf])(
    "readTraceSource() on damaged text gives a trace or a TraceError, never another error",
    (t, edits, cuts) => {
      const bytes = new TextEncoder().encode(serializeTrace(t));
      for (const e of edits) bytes[e.at % bytes.length] = e.byte;
      const text = new TextDecoder().decode(bytes);
      const got = outcome(() => readTraceSource(chunked(text, cuts)));
      const want = outcome(() => parseTrace(text));
      // Either both read it (then to the same trace) or both refuse it.
      expect("trace" in (got as object)).toBe("trace" in (want as object));
      if ("trace" in (want as object)) expect(got).toEqual(want);
    },
  );

  test.prop([traces, fc.constantFrom(2, "1", null), cutsOf])("readTraceSource() checks the version before the items when it comes first, as parseTrace does", (t, version, cuts) => {
    const value = JSON.parse(serializeTrace(t)) as Record<string, unknown> & { buffers: Record<string, unknown>[] };
    value.version = version;
    if (value.buffers.length > 0) value.buffers[0].bytes = -1;
    const text = JSON.stringify(value);
    expect(outcome(() => readTraceSource(chunked(text, cuts)))).toEqual(outcome(() => parseTrace(text)));
  });

  it("readTraceSource() reads buffers with many fields, the checked ones past the 128th key too", () => {
    const extra = Object.fromEntries(Array.from({ length: 200 }, (_, k) => [`f${k}`, k]));
    const trace = {
      format: "hbmscope.trace",
      version: 1,
      meta: {},
      buffers: [{ ...extra, id: 7, bytes: 4096, category: "activation", op: "matmul" }, { ...extra, id: 8, bytes: 100, category: "nope" }],
      events: [{ kind: "alloc", buffer: 7 }],
      marks: [],
    };
    const ok = { ...trace, buffers: trace.buffers.slice(0, 1) };
    expect(outcome(() => readTraceSource(chunked(JSON.stringify(ok), [])))).toEqual(outcome(() => parseTrace(JSON.stringify(ok))));
    expect(timeline(readTraceSource(chunked(JSON.stringify(ok), []))).peak.bytes).toBe(4096);
    expect(outcome(() => readTraceSource(chunked(JSON.stringify(trace), [])))).toEqual({ error: 'buffers[1]: unknown category "nope"; accepted: weight, optimizer, gradient, activation, input, temporary, other' });
  });

  it("readTraceSource() refuses a top-level field given twice", () => {
    const text = '{"format": "hbmscope.trace", "version": 1, "buffers": [], "buffers": [], "events": []}';
    expect(() => readTraceSource(chunked(text, []))).toThrow("buffers: given twice in the trace");
  });

  it("readTraceSource() names what is wrong with text that is not a trace", () => {
    const read = (text: string) => () => readTraceSource(chunked(text, []));
    expect(read("")).toThrow("parseTrace: a trace is a JSON object, got nothing");
    expect(read("[1, 2]")).toThrow("parseTrace: a trace is a JSON object, got an array");
    expect(read('{"format": "hbmscope.trace", "version": 1, "buffers": [], "events": []')).toThrow(/not valid JSON \(expected "," or "}" at character \d+, got the end of the text\)/);
    expect(read('{"format": "hbmscope.trace", "version": 1, "buffers": [{"id": 0,}], "events": []}')).toThrow(/not valid JSON/);
    expect(read('{"format": "hbmscope.trace", "version": 1, "buffers": 3, "events": []}')).toThrow("buffers: must be an array, got 3");
    expect(read('{"format": "hbmscope.trace", "version": 2, "buffers": [], "events": []}')).toThrow("version: this hbmscope reads trace version 2".replace("2", "1") + ", got 2");
    expect(read('{"format": "hbmscope.trace", "version": 1, "buffers": [], "events": []} x')).toThrow(/expected the end of the text/);
  });
});
