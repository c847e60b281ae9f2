/**
 * fast-check arbitraries for users' own property tests (`@hbmscope/core/testing`).
 * Needs `fast-check` (an optional peer dependency).
 */
import fc from "fast-check";
import { CATEGORIES, type Category, type Trace, type TraceBuffer, type TraceEvent } from "./trace.js";

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
