import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { parseTrace, serializeTrace, serializeTraceChunks, type Trace } from "../../src/index.js";
import { isLazyPending } from "../../src/trace/lazyTrace.js";
import { lazyCopy, traceArbitrary } from "../../src/testing.js";

/** JSON values for extra fields (no undefined inside: JSON has none, and parseTrace would not give it back). */
// Through JSON once: JSON has no -0, so a -0 drawn here would not come back from the text.
const json = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

/** Traces, some with extra fields at the top level, on buffers and events, and in meta. */
const traces: fc.Arbitrary<Trace> = fc
  .tuple(
    fc.oneof(traceArbitrary(), traceArbitrary({ views: true, phaseMarks: false })),
    fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => !["format", "version", "meta", "buffers", "events", "marks", "__proto__"].includes(k)), json, { maxKeys: 3 }),
    fc.option(json, { nil: undefined }),
    fc.boolean(),
  )
  .map(([t, extra, note, unicode]) => {
    const buffers = t.buffers.map((b, i) => (note !== undefined && i % 2 === 0 ? { ...b, note, ...(unicode ? { scope: `é/"\\\n\u2028/${i}` } : {}) } : b));
    const events = t.events.map((e, i) => (note !== undefined && i % 3 === 0 ? { ...e, note } : e));
    return parseTrace({ ...extra, ...t, meta: { ...t.meta, note }, buffers, events });
  });

const joined = (t: Trace, itemsPerChunk?: number) => [...serializeTraceChunks(t, itemsPerChunk === undefined ? {} : { itemsPerChunk })].join("");

describe("serializeTraceChunks", () => {
  test.prop([traces, fc.integer({ min: 1, max: 50 })])("serializeTraceChunks() joined is serializeTrace() exactly, for any itemsPerChunk", (trace, k) => {
    const text = joined(trace, k);
    expect(text).toBe(serializeTrace(trace));
    expect(parseTrace(JSON.parse(text))).toEqual(trace);
    expect(joined(trace)).toBe(text);
  });

  test.prop([traces, fc.integer({ min: 1, max: 50 })])("serializeTraceChunks() of a lazy trace is the ordinary trace's text, and builds nothing", (trace, k) => {
    const lazy = lazyCopy(trace);
    expect(joined(lazy, k)).toBe(serializeTrace(trace));
    expect(serializeTrace(lazy)).toBe(serializeTrace(trace));
    expect(isLazyPending(lazy)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(lazy, "buffers")?.get).toBeDefined();
    expect(Object.getOwnPropertyDescriptor(lazy, "events")?.get).toBeDefined();
  });

  test.prop([traces, fc.dictionary(fc.string({ maxLength: 4 }), json, { maxKeys: 2 })])(
    "serializeTraceChunks() keeps extra top-level fields as serializeTrace() does, and drops undefined ones",
    (trace, more) => {
      const t = { ...trace, extra: { a: 1 }, skipped: undefined, ...Object.fromEntries(Object.entries(more).filter(([k]) => !(k in trace) && k !== "__proto__")) } as Trace;
      const text = joined(t, 7);
      expect(text).toBe(serializeTrace(t));
      const back = JSON.parse(text);
      expect(back.extra).toEqual({ a: 1 });
      expect("skipped" in back).toBe(false);
      const { skipped: _, ...want } = t as Trace & { skipped?: unknown };
      // Through JSON on both sides: JSON has no -0 (traceArbitrary's meta may hold one).
      expect(parseTrace(back)).toEqual(parseTrace(JSON.parse(JSON.stringify(want))));
    },
  );

  test.prop([traces, fc.integer({ min: 1, max: 50 })])("serializeTraceChunks() gives a head, ceil(n / itemsPerChunk) pieces per array, a middle and a tail", (trace, k) => {
    const pieces = [...serializeTraceChunks(trace, { itemsPerChunk: k })];
    const nb = Math.ceil(trace.buffers.length / k);
    const ne = Math.ceil(trace.events.length / k);
    expect(pieces.length).toBe(3 + nb + ne);
    expect(pieces[0]).toMatch(/"buffers":\[$/);
    expect(pieces[1 + nb]).toBe(`],"events":[`);
    expect(pieces[pieces.length - 1]).toMatch(/^\],"marks":/);
  });

  it("serializeTraceChunks() keeps a top-level __proto__ field as a field", () => {
    const t = parseTrace(JSON.parse('{"format":"hbmscope.trace","version":1,"meta":{},"__proto__":{"a":1},"buffers":[],"events":[],"marks":[]}'));
    expect(joined(t)).toBe(serializeTrace(t));
    expect(joined(t)).toContain('"__proto__":{"a":1}');
  });

  it("serializeTraceChunks() writes an empty trace as serializeTrace() does", () => {
    const t = parseTrace({ format: "hbmscope.trace", version: 1, meta: {}, buffers: [], events: [], marks: [] });
    expect([...serializeTraceChunks(t)]).toEqual(['{"format":"hbmscope.trace","version":1,"meta":{},"buffers":[', '],"events":[', '],"marks":[]}']);
    expect(joined(t)).toBe(serializeTrace(t));
  });

  for (const bad of [0, -1, 1.5, NaN, Infinity]) {
    it(`serializeTraceChunks() refuses itemsPerChunk ${bad} with a RangeError on the first next()`, () => {
      const t = parseTrace({ format: "hbmscope.trace", version: 1, meta: {}, buffers: [], events: [], marks: [] });
      // A generator runs nothing until its first next(): the call itself does not throw.
      const chunks = serializeTraceChunks(t, { itemsPerChunk: bad });
      expect(() => chunks.next()).toThrow(RangeError);
      expect(() => [...serializeTraceChunks(t, { itemsPerChunk: bad })]).toThrow(`serializeTraceChunks: itemsPerChunk must be a positive integer, got ${bad}`);
    });
  }
});
