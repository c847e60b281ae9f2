import { fc, test } from "@fast-check/vitest";
import { ALLOCATOR_MODELS, bufferAt, eventAt, parseTrace, replay, timeline, traceBuilder, type Trace } from "@hbmscope/core";
import { traceArbitrary } from "@hbmscope/core/testing";
import { describe, expect, it } from "vitest";
import { reportData } from "../src/reportData.js";
import { traceFromReportData } from "../src/traceFromReportData.js";

const roundTrip = (t: Trace) => traceFromReportData(JSON.parse(JSON.stringify(reportData(t))));

describe("traceFromReportData", () => {
  test.prop([traceArbitrary({ maxBuffers: 25, views: true })], { numRuns: 60 })(
    "traceFromReportData() of reportData() has the same buffers, events, timeline and replays",
    (raw) => {
      const t = parseTrace(raw);
      const back = roundTrip(t);
      for (let i = 0; i < t.buffers.length; i++) {
        const { id, bytes, category, op, scope, phase, dtype, shape } = t.buffers[i];
        const b = bufferAt(back, i);
        expect({ id: b.id, bytes: b.bytes, category: b.category, op: b.op, scope: b.scope, phase: b.phase, dtype: b.dtype, shape: b.shape }).toEqual({ id, bytes, category, op, scope, phase, dtype, shape });
      }
      for (let i = 0; i < t.events.length; i++) expect({ ...eventAt(back, i) }).toMatchObject({ kind: t.events[i].kind, buffer: t.events[i].buffer });
      for (const view of ["logical", "physical", "backend"] as const) {
        const a = timeline(t, { view, byCategory: true });
        const b = timeline(back, { view, byCategory: true });
        expect(b.peak).toEqual(a.peak);
        expect(b.phasePeaks).toEqual(a.phasePeaks);
        expect(Array.from(b.total)).toEqual(Array.from(a.total));
      }
      for (const name of Object.keys(ALLOCATOR_MODELS)) {
        const a = replay(t, ALLOCATOR_MODELS[name](t));
        const b = replay(back, ALLOCATOR_MODELS[name](back));
        expect(b.peaks).toEqual(a.peaks);
        expect(Array.from(b.reserved)).toEqual(Array.from(a.reserved));
      }
    },
  );
  it("traceFromReportData() keeps sparse ids, times, kernel temporaries and logical buffers", () => {
    const t = parseTrace({
      format: "hbmscope.trace",
      version: 1,
      meta: { source: "test" },
      buffers: [
        { id: 7, bytes: 100, category: "activation", op: "MatMul", shape: [2, 3] },
        { id: 3000000000, bytes: 2 ** 40, category: "weight", kernelTemp: true },
        { id: 9, bytes: 5, category: "input", view: "logical" },
      ],
      events: [
        { kind: "alloc", buffer: 7, time: 0.5 },
        { kind: "alloc", buffer: 3000000000, time: 1.25 },
        { kind: "alloc", buffer: 9, time: 2 },
        { kind: "free", buffer: 7, time: 3 },
      ],
      marks: [{ at: 0, label: "forward" }],
    });
    const back = roundTrip(t);
    expect([0, 1, 2].map((i) => bufferAt(back, i))).toEqual([
      { id: 7, bytes: 100, category: "activation", op: "MatMul", shape: [2, 3] },
      { id: 3000000000, bytes: 2 ** 40, category: "weight", kernelTemp: true },
      { id: 9, bytes: 5, category: "input", view: "logical" },
    ]);
    expect([0, 1, 2, 3].map((i) => eventAt(back, i))).toEqual(t.events);
    expect(back.marks).toEqual(t.marks);
  });
  it("reportData() keeps a snapshot's allocator settings and drops the rest of meta.torch", () => {
    const b = traceBuilder({ source: "imported", torch: { allocatorSettings: { expandable_segments: true }, segments: [1, 2, 3] } });
    b.alloc({ bytes: 1, category: "other" });
    expect(reportData(b.build()).meta).toEqual({ source: "imported", torch: { allocatorSettings: { expandable_segments: true } } });
  });
  it("traceFromReportData() refuses other data, and columns of the wrong length", () => {
    expect(() => traceFromReportData({ format: "x" } as never)).toThrow('traceFromReportData: expected { format: "hbmscope.report-data", version: 1 }');
    const b = traceBuilder();
    b.alloc({ bytes: 1, category: "other" });
    const data = reportData(b.build());
    expect(() => traceFromReportData({ ...data, eventCount: 2 })).toThrow("traceFromReportData: eventBuffer has 1 elements, expected 2");
  });
});
