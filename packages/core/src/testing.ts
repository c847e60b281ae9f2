/**
 * fast-check arbitraries for users' own property tests (`@hbmscope/core/testing`).
 * Needs `fast-check` (an optional peer dependency).
 */
import fc from "fast-check";
import { lazyTrace, type TraceRows } from "./trace/lazyTrace.js";
import { CATEGORIES, type Category, type Trace, type TraceBuffer, type TraceEvent } from "./trace/trace.js";
import { traceColumns } from "./trace/traceColumns.js";
import { traceExtras } from "./trace/traceExtras.js";

export interface TraceArbitraryOptions {
  /** Most buffers in a trace. @defaultValue 30 */
  maxBuffers?: number;
  /** Largest buffer, bytes. @defaultValue 64 MiB */
  maxBytes?: number;
  /** Chance that a buffer is still live at the end. @defaultValue 0.2 */
  liveAtEnd?: number;
  /** Categories to draw from. @defaultValue all */
  categories?: readonly Category[];
  /** Add phase marks (setup, forward, backward, optimizer). @defaultValue true */
  phaseMarks?: boolean;
  /** Draw some buffers as kernel temporaries and logical references. @defaultValue false */
  views?: boolean;
}

/** Valid traces: every event refers to a known buffer, no double alloc or free. */
export function traceArbitrary(options: TraceArbitraryOptions = {}): fc.Arbitrary<Trace> {
  const maxBuffers = options.maxBuffers ?? 30;
  const maxBytes = options.maxBytes ?? 64 * 2 ** 20;
  const liveAtEnd = options.liveAtEnd ?? 0.2;
  const categories = options.categories ?? CATEGORIES;
  const buffer = fc.record({
    bytes: fc.oneof(fc.integer({ min: 0, max: 4096 }), fc.integer({ min: 0, max: maxBytes })),
    category: fc.constantFrom(...categories),
    start: fc.integer({ min: 0, max: 1000 }),
    length: fc.integer({ min: 1, max: 1000 }),
    keep: fc.double({ min: 0, max: 1, noNaN: true }),
    view: fc.constantFrom<"physical" | "logical" | "temp">("physical", "physical", "logical", "temp"),
  });
  return fc
    .record({ buffers: fc.array(buffer, { maxLength: maxBuffers }), phaseCuts: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }) })
    .map(({ buffers: drawn, phaseCuts }) => {
      const buffers: TraceBuffer[] = drawn.map((d, id) => {
        const b: TraceBuffer = { id, bytes: d.bytes, category: d.category, op: `op${id % 7}` };
        if (options.views && d.view === "logical") b.view = "logical";
        if (options.views && d.view === "temp") {
          b.kernelTemp = true;
          b.category = "temporary";
        }
        return b;
      });
      const keyed: { key: number; event: TraceEvent }[] = [];
      drawn.forEach((d, id) => {
        keyed.push({ key: d.start * 2, event: { kind: "alloc", buffer: id } });
        if (d.keep >= liveAtEnd) keyed.push({ key: (d.start + d.length) * 2 + 1, event: { kind: "free", buffer: id } });
      });
      keyed.sort((a, b) => a.key - b.key || a.event.buffer - b.event.buffer);
      const events = keyed.map((k, i) => ({ ...k.event, time: i }));
      const marks = [];
      if (options.phaseMarks ?? true) {
        const cuts = phaseCuts.map((c) => (events.length ? c % (events.length + 1) : 0)).sort((a, b) => a - b);
        marks.push({ at: 0, label: "forward", kind: "phase" });
        marks.push({ at: cuts[0], label: "backward", kind: "phase" });
        marks.push({ at: cuts[2], label: "optimizer", kind: "phase" });
      }
      return { format: "hbmscope.trace", version: 1, meta: { source: "arbitrary" }, buffers, events, marks } as Trace;
    });
}

/**
 * A lazy trace (`lazyTrace`) with the same content as `trace`, extra top-level fields included,
 * for testing that code works on lazy traces without building their arrays (check
 * `isLazyPending` afterwards). Its rows hand out copies and throw a RangeError for a row out of
 * range, so code that asks for rows it should not is caught too.
 */
export function lazyCopy(trace: Trace): Trace {
  const rowOf = <T>(items: T[], i: number): T => {
    if (!Number.isInteger(i) || i < 0 || i >= items.length) throw new RangeError(`lazyCopy: row ${i} asked for, of ${items.length}`);
    return items[i];
  };
  const rows: TraceRows = {
    bufferCount: trace.buffers.length,
    eventCount: trace.events.length,
    buffer: (i) => structuredClone(rowOf(trace.buffers, i)),
    event: (i) => structuredClone(rowOf(trace.events, i)),
    hasBufferPhases: trace.buffers.some((b) => b.phase !== undefined),
    times: trace.events.every((e) => typeof e.time === "number" && Number.isFinite(e.time)) ? Float64Array.from(trace.events, (e) => e.time as number) : undefined,
  };
  // Columns of a clone: those cached for `trace` itself are not handed over.
  const lazy = lazyTrace(structuredClone(trace.meta), structuredClone(trace.marks), rows, traceColumns(structuredClone(trace)));
  const extras = traceExtras(trace);
  for (const key of Object.keys(extras)) {
    Object.defineProperty(lazy, key, { value: structuredClone(extras[key]), enumerable: true, writable: true, configurable: true });
  }
  return lazy;
}

/**
 * Plain values that `writePickle` writes and `readPickle` reads back equal: null, booleans, safe
 * integers, integers beyond 2^53 as bigints (up to 200 bits), fractional doubles, strings, and
 * lists and dicts of them (a few levels deep).
 */
export function pickleValueArbitrary(): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.maxSafeInteger(),
      fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }).filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)),
      fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)),
      fc.string({ unit: "grapheme" }),
      fc.array(tie("value"), { maxLength: 5 }),
      fc.dictionary(fc.string(), tie("value"), { maxKeys: 5 }),
    ),
  })).value;
}
