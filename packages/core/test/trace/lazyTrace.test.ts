import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import {
  bufferAt,
  bufferCount,
  cachingAllocator,
  cachingOptionsFromSnapshot,
  compareWithSnapshot,
  importTorchSnapshot,
  snapshotReserved,
  type SnapshotMeta,
  eventAt,
  eventCount,
  eventPhases,
  eventTimes,
  hasBufferPhases,
  ideal,
  lazyTrace,
  liveAt,
  parseTrace,
  replay,
  serializeTrace,
  timeline,
  toPerfetto,
  toTorchSnapshot,
  traceColumns,
  type Trace,
  type TraceRows,
  type View,
} from "../../src/index.js";
import { isLazyPending } from "../../src/trace/lazyTrace.js";
import { phaseRuns } from "../../src/timeline/phases.js";
import { lazyCopy, traceArbitrary } from "../../src/testing.js";

const VIEWS: View[] = ["logical", "physical", "backend"];

/**
 * Traces as `traceArbitrary` draws them (every event timed, phase marks, dense ids), and
 * variations: no times, some times missing, no marks (phases from the buffers), scopes, sparse ids,
 * logical buffers and kernel temporaries.
 */
const traces: fc.Arbitrary<Trace> = fc
  .tuple(
    fc.oneof(traceArbitrary(), traceArbitrary({ views: true }), traceArbitrary({ phaseMarks: false })),
    fc.record({
      times: fc.constantFrom("all", "none", "someMissing"),
      marks: fc.boolean(),
      bufferPhases: fc.boolean(),
      scopes: fc.boolean(),
      sparseIds: fc.boolean(),
    }),
  )
  .map(([t, v]) => {
    const idOf = (i: number) => (v.sparseIds ? 3 * i + 5 : i);
    const buffers = t.buffers.map((b, i) => ({
      ...b,
      id: idOf(b.id),
      ...(v.bufferPhases && i % 3 !== 2 ? { phase: ["forward", "backward"][i % 2] } : {}),
      ...(v.scopes ? { scope: `layer${i % 4}/attn` } : {}),
    }));
    const events = t.events.map((e, i) => {
      const { time, ...rest } = e;
      const keep = v.times === "all" || (v.times === "someMissing" && i !== Math.floor(t.events.length / 2));
      return keep ? { ...rest, buffer: idOf(e.buffer), time } : { ...rest, buffer: idOf(e.buffer) };
    });
    return parseTrace({ ...t, buffers, events, marks: v.marks ? t.marks : [] });
  });

/** Everything the lazy-aware calls give for a trace. */
function readings(trace: Trace) {
  const n = eventCount(trace);
  return {
    timelines: VIEWS.map((view) => timeline(trace, { view, byCategory: true })),
    defaultTimeline: timeline(trace),
    live: VIEWS.map((view) => Array.from({ length: n + 1 }, (_, i) => liveAt(trace, i - 1, { view }))),
    liveLimited: n > 0 ? liveAt(trace, n - 1, { limit: 2 }) : [],
    eventPhases: eventPhases(trace),
    phaseRuns: phaseRuns(trace),
    perfetto: VIEWS.map((view) => toPerfetto(trace, { view })),
    replayIdeal: replay(trace, ideal()),
    replayCaching: replay(trace, cachingAllocator(), { view: "physical" }),
    serialized: serializeTrace(trace),
    bufferCount: bufferCount(trace),
    eventCount: eventCount(trace),
    hasBufferPhases: hasBufferPhases(trace),
    eventTimes: eventTimes(trace),
  };
}

describe("lazyTrace", () => {
  test.prop([traces])("lazyTrace() reads the same as the ordinary trace through every lazy-aware call, and builds nothing", (trace) => {
    const lazy = lazyCopy(trace);
    expect(isLazyPending(lazy)).toBe(true);
    expect(readings(lazy)).toEqual(readings(trace));
    expect(isLazyPending(lazy)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(lazy, "buffers")?.get).toBeDefined();
    expect(Object.getOwnPropertyDescriptor(lazy, "events")?.get).toBeDefined();
  });

  test.prop([traces])("lazyTrace() replays to the same OOM report as the ordinary trace, without building", (trace) => {
    const total = trace.buffers.reduce((s, b) => s + b.bytes, 0);
    const capacity = Math.floor(total / 3);
    const lazy = lazyCopy(trace);
    const want = replay(trace, ideal(), { capacity, view: "physical" });
    const got = replay(lazy, ideal(), { capacity, view: "physical" });
    expect(got).toEqual(want);
    expect(isLazyPending(lazy)).toBe(true);
  });

  test.prop([traces])("lazyTrace() gives the same toTorchSnapshot() as the ordinary trace", (trace) => {
    const lazy = lazyCopy(trace);
    expect(toTorchSnapshot(lazy)).toEqual(toTorchSnapshot(trace));
    expect(Object.getOwnPropertyDescriptor(lazy, "buffers")?.get).toBeDefined();
    expect(Object.getOwnPropertyDescriptor(lazy, "events")?.get).toBeDefined();
    const run = replay(trace, cachingAllocator(), { view: "physical" });
    expect(toTorchSnapshot(lazyCopy(trace), { run })).toEqual(toTorchSnapshot(trace, { run }));
  });

  test.prop([traces])("lazyTrace() builds events and buffers once on first read, equal to the originals", (trace) => {
    const lazy = lazyCopy(trace);
    const events = lazy.events;
    expect(isLazyPending(lazy)).toBe(true); // the buffers are still pending
    expect(lazy.events).toBe(events);
    expect(events).toEqual(trace.events);
    const buffers = lazy.buffers;
    expect(lazy.buffers).toBe(buffers);
    expect(buffers).toEqual(trace.buffers);
    expect(isLazyPending(lazy)).toBe(false);
    // From then on an ordinary trace, read the same way.
    expect(readings(lazy)).toEqual(readings(trace));
    expect(lazy.events).toBe(events);
    expect(lazy.buffers).toBe(buffers);
  });

  test.prop([traces])("lazyTrace() reads as an ordinary trace when spread or cloned", (trace) => {
    expect(structuredClone(lazyCopy(trace))).toEqual(trace);
    expect({ ...lazyCopy(trace) }).toEqual(trace);
    expect(JSON.parse(JSON.stringify(lazyCopy(trace)))).toEqual(JSON.parse(serializeTrace(trace)));
  });

  test.prop([traces])("lazyTrace() takes an assignment to events or buffers instead of building them", (trace) => {
    const lazy = lazyCopy(trace);
    const events = trace.events.slice(0, 1);
    lazy.events = events;
    expect(lazy.events).toBe(events);
    expect(eventCount(lazy)).toBe(events.length);
    expect(isLazyPending(lazy)).toBe(true); // buffers still pending
    const buffers = structuredClone(trace.buffers);
    lazy.buffers = buffers;
    expect(lazy.buffers).toBe(buffers);
    expect(isLazyPending(lazy)).toBe(false);
    expect(Object.getOwnPropertyDescriptor(lazy, "events")).toMatchObject({ value: events, writable: true, enumerable: true });
  });

  test.prop([traces])("bufferAt() and eventAt() give the rows by index and undefined out of range, with or without building", (trace) => {
    const lazy = lazyCopy(trace);
    const nb = trace.buffers.length;
    const ne = trace.events.length;
    for (const t of [lazy, trace]) {
      expect(bufferCount(t)).toBe(nb);
      expect(eventCount(t)).toBe(ne);
      for (const i of [-1, nb, 1.5]) expect(bufferAt(t, i)).toBeUndefined();
      for (const i of [-1, ne, 1.5]) expect(eventAt(t, i)).toBeUndefined();
      for (let i = 0; i < nb; i++) expect(bufferAt(t, i)).toEqual(trace.buffers[i]);
      for (let i = 0; i < ne; i++) expect(eventAt(t, i)).toEqual(trace.events[i]);
    }
    expect(isLazyPending(lazy)).toBe(true);
    // Built: the same objects as the arrays hold.
    const { buffers, events } = lazy;
    if (nb > 0) expect(bufferAt(lazy, 0)).toBe(buffers[0]);
    if (ne > 0) expect(eventAt(lazy, ne - 1)).toBe(events[ne - 1]);
    expect(bufferAt(lazy, nb)).toBeUndefined();
    expect(eventAt(lazy, -1)).toBeUndefined();
    expect(bufferCount(lazy)).toBe(nb);
    expect(eventCount(lazy)).toBe(ne);
  });

  test.prop([traces])("eventTimes() is undefined when some event has no time, else every event's time", (trace) => {
    const timed = trace.events.every((e) => typeof e.time === "number");
    const want = timed ? Float64Array.from(trace.events, (e) => e.time as number) : undefined;
    expect(eventTimes(trace)).toEqual(want);
    const lazy = lazyCopy(trace);
    expect(eventTimes(lazy)).toEqual(want);
    expect(isLazyPending(lazy)).toBe(true);
    void lazy.events;
    expect(eventTimes(lazy)).toEqual(want);
  });

  test.prop([traces])("hasBufferPhases() tells whether any buffer has a phase", (trace) => {
    const want = trace.buffers.some((b) => b.phase !== undefined);
    expect(hasBufferPhases(trace)).toBe(want);
    expect(hasBufferPhases(lazyCopy(trace))).toBe(want);
  });

  it("eventTimes() of a trace without events is an empty array", () => {
    const empty = parseTrace({ format: "hbmscope.trace", version: 1, meta: {}, buffers: [], events: [], marks: [] });
    expect(eventTimes(empty)).toEqual(new Float64Array(0));
  });

  it("isLazyPending() is false for an ordinary trace", () => {
    const t = parseTrace({ format: "hbmscope.trace", version: 1, meta: {}, buffers: [{ id: 0, bytes: 1, category: "other" }], events: [{ kind: "alloc", buffer: 0 }], marks: [] });
    expect(isLazyPending(t)).toBe(false);
  });

  it("lazyTrace() uses the columns it is given, so timeline() never reads the rows", () => {
    const trace = parseTrace({
      format: "hbmscope.trace",
      version: 1,
      meta: {},
      buffers: [
        { id: 0, bytes: 10, category: "weight", op: "A" },
        { id: 1, bytes: 30, category: "activation", op: "B" },
      ],
      events: [
        { kind: "alloc", buffer: 0 },
        { kind: "alloc", buffer: 1 },
        { kind: "free", buffer: 1 },
      ],
      marks: [],
    });
    const read: string[] = [];
    const rows: TraceRows = {
      bufferCount: 2,
      eventCount: 3,
      buffer: (i) => (read.push(`buffer ${i}`), structuredClone(trace.buffers[i])),
      event: (i) => (read.push(`event ${i}`), structuredClone(trace.events[i])),
      hasBufferPhases: false,
    };
    const lazy = lazyTrace({}, [], rows, traceColumns(structuredClone(trace)));
    const tl = timeline(lazy);
    expect(Array.from(tl.total)).toEqual([10, 40, 10]);
    // Only the peak's buffer is read, for its op.
    expect(tl.peak.op).toBe("B");
    expect(read).toEqual(["buffer 1"]);
  });

  for (const name of ["snapshot-fresh.pickle", "snapshot-ghosts.pickle"]) {
    it(`importTorchSnapshot() of ${name} is lazy: snapshotReserved(), replay() and compareWithSnapshot() read it as its built copy, building nothing`, () => {
      const bytes = new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
      const lazy = importTorchSnapshot(bytes);
      expect(isLazyPending(lazy)).toBe(true);
      const built = importTorchSnapshot(bytes);
      void built.buffers;
      void built.events;
      expect(isLazyPending(built)).toBe(false);
      const { options } = cachingOptionsFromSnapshot((lazy.meta.torch as SnapshotMeta).allocatorSettings);
      const look = (t: Trace) => {
        const run = replay(t, cachingAllocator(options));
        return { reserved: snapshotReserved(t), run, cmp: compareWithSnapshot(t, run), oom: replay(t, cachingAllocator(options), { capacity: 3 * 2 ** 20 }).oom, readings: readings(t) };
      };
      expect(look(lazy)).toEqual(look(built));
      expect(look(lazy).oom).not.toBeNull();
      expect(isLazyPending(lazy)).toBe(true);
      expect(Object.getOwnPropertyDescriptor(lazy, "buffers")?.get).toBeDefined();
      expect(Object.getOwnPropertyDescriptor(lazy, "events")?.get).toBeDefined();
    });
  }
});
