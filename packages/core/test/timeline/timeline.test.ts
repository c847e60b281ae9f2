import { describe, expect, it } from "vitest";
import { test as fcTest, fc } from "@fast-check/vitest";
import { CATEGORIES, eventPhases, liveAt, parseTrace, timeline, traceBuilder, traceColumns } from "../../src/index.js";
import { traceArbitrary } from "../../src/testing.js";

function small() {
  const b = traceBuilder({ source: "test" });
  b.mark("setup");
  const w = b.alloc({ bytes: 100, category: "weight", op: "Variable" });
  b.mark("forward");
  const a = b.alloc({ bytes: 50, category: "activation", op: "MatMul", scope: "forward/l0" });
  const t = b.alloc({ bytes: 30, category: "temporary", op: "Softmax" });
  b.free(t);
  b.mark("backward");
  const g = b.alloc({ bytes: 100, category: "gradient", op: "MatMulGrad" });
  b.free(a);
  b.mark("optimizer");
  const o = b.alloc({ bytes: 200, category: "optimizer", op: "Adam" });
  b.free(g);
  void w;
  void o;
  return parseTrace(b.build());
}

describe("timeline", () => {
  it("timeline() finds the peak, its phase and op", () => {
    const tl = timeline(small());
    expect(Array.from(tl.total)).toEqual([100, 150, 180, 150, 250, 200, 400, 300]);
    expect(tl.peak).toEqual({ bytes: 400, index: 6, phase: "optimizer", op: "Adam", scope: "" });
    expect(tl.byCategoryAtPeak.optimizer).toBe(200);
    expect(tl.byCategoryAtPeak.gradient).toBe(100);
    expect(tl.byCategoryAtPeak.activation).toBe(0);
    expect(tl.phasePeaks).toEqual([
      { phase: "setup", bytes: 100, index: 0 },
      { phase: "forward", bytes: 180, index: 2 },
      { phase: "backward", bytes: 250, index: 4 },
      { phase: "optimizer", bytes: 400, index: 6 },
    ]);
    expect(tl.end).toBe(300);
  });

  it("timeline() separates the logical, physical and backend views", () => {
    const b = traceBuilder();
    b.alloc({ bytes: 64, category: "activation" });
    b.alloc({ bytes: 64, category: "activation", view: "logical" });
    b.alloc({ bytes: 64, category: "activation", view: "logical" }); // a reshape sharing the buffer
    b.alloc({ bytes: 16, category: "temporary", kernelTemp: true });
    const t = parseTrace(b.build());
    expect(timeline(t, { view: "physical" }).peak.bytes).toBe(64);
    expect(timeline(t, { view: "logical" }).peak.bytes).toBe(128);
    expect(timeline(t, { view: "backend" }).peak.bytes).toBe(80);
    expect(() => timeline(t, { view: "nope" as any })).toThrow(/timeline: unknown view "nope"/);
  });

  it("timeline() of an empty trace has no peak", () => {
    const tl = timeline(parseTrace({ format: "hbmscope.trace", version: 1, buffers: [], events: [] }));
    expect(tl.peak.index).toBe(-1);
    expect(tl.peak.bytes).toBe(0);
  });

  it("liveAt() lists the live set at the peak, largest first", () => {
    const t = small();
    const tl = timeline(t);
    expect(liveAt(t, tl.peak.index).map((b) => b.bytes)).toEqual([200, 100, 100]);
    expect(liveAt(t, tl.peak.index, { limit: 1 })[0].op).toBe("Adam");
    expect(() => liveAt(t, 99)).toThrow(/liveAt: index must be an event index/);
  });

  fcTest.prop([traceArbitrary({ views: true })])("timeline() categories sum to the total at every event", (trace) => {
    for (const view of ["logical", "physical", "backend"] as const) {
      const tl = timeline(parseTrace(trace), { view, byCategory: true });
      expect(Object.keys(timeline(parseTrace(trace), { view }).byCategory)).toEqual([]);
      for (let i = 0; i < tl.length; i++) {
        let sum = 0;
        for (const c of CATEGORIES) sum += tl.byCategory[c]?.[i] ?? 0;
        expect(sum).toBe(tl.total[i]);
      }
      if (tl.peak.index >= 0) for (const c of CATEGORIES) expect(tl.byCategoryAtPeak[c]).toBe(tl.byCategory[c]?.[tl.peak.index] ?? 0);
    }
  });

  fcTest.prop([traceArbitrary()])("timeline() peak is at least every point and is reached", (trace) => {
    const tl = timeline(parseTrace(trace));
    let max = 0;
    for (const v of tl.total) {
      expect(v).toBeLessThanOrEqual(tl.peak.bytes);
      max = Math.max(max, v);
    }
    expect(max).toBe(tl.peak.bytes);
    if (tl.peak.index >= 0) expect(tl.total[tl.peak.index]).toBe(tl.peak.bytes);
    for (const p of tl.phasePeaks) expect(p.bytes).toBeLessThanOrEqual(tl.peak.bytes);
  });

  fcTest.prop([traceArbitrary({ liveAtEnd: 0 })])("timeline() returns to zero when every alloc is freed", (trace) => {
    const tl = timeline(parseTrace(trace));
    expect(tl.end).toBe(tl.start);
  });

  fcTest.prop([traceArbitrary()])("liveAt() at the peak sums to the peak", (trace) => {
    const t = parseTrace(trace);
    const tl = timeline(t);
    expect(liveAt(t, tl.peak.index).reduce((s, b) => s + b.bytes, 0)).toBe(tl.peak.bytes);
  });
});

describe("traceColumns", () => {
  fcTest.prop([traceArbitrary({ views: true })])("traceColumns() of a parsed trace equals the columns built from scratch", (trace) => {
    const parsed = traceColumns(parseTrace(trace));
    const scratch = traceColumns(structuredClone(trace));
    expect(parsed).toEqual(scratch);
  });
});

describe("phaseRuns", () => {
  fcTest.prop([traceArbitrary(), fc.boolean()])("timeline() phase peaks equal a per-event computation from eventPhases()", (drawn, dropMarks) => {
    const trace = parseTrace(dropMarks ? { ...drawn, marks: [] } : drawn);
    const tl = timeline(trace);
    const { names, ofEvent } = eventPhases(trace);
    const expected = new Map<string, { phase: string; bytes: number; index: number }>();
    for (let i = 0; i < tl.length; i++) {
      const phase = names[ofEvent[i]];
      const cur = expected.get(phase);
      if (!cur || tl.total[i] > cur.bytes) expected.set(phase, { phase, bytes: tl.total[i], index: cur && tl.total[i] <= cur.bytes ? cur.index : i });
    }
    expect(tl.phasePeaks).toEqual([...expected.values()]);
    if (tl.peak.index >= 0) expect(tl.peak.phase).toBe(names[ofEvent[tl.peak.index]]);
  });
});
