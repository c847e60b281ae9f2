import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { traceBuilder } from "@hbmscope/core";
import { traceArbitrary } from "@hbmscope/core/testing";
import { defaultXAxis, opSteps, timelineLayout } from "../src/index.js";

/** A step with a tiled loop: an MLP op, then 100 tiles of three kernels in one scope, then the head. */
function tiledTrace() {
  const b = traceBuilder();
  b.alloc({ bytes: 10, category: "activation", op: "MatMul", scope: "forward/mlp" });
  for (let t = 0; t < 100; t++) {
    for (const op of ["Slice", "BatchMatMul", "Exp"]) {
      const id = b.alloc({ bytes: 1, category: "temporary", op, scope: "forward/attn/sdpa" });
      b.free(id);
    }
  }
  b.alloc({ bytes: 10, category: "activation", op: "MatMul", scope: "forward/head" });
  b.alloc({ bytes: 5, category: "activation", op: "Softmax", scope: "forward/head" });
  return b.build();
}

describe("opSteps", () => {
  it("opSteps() gives a loop's repeated kernels the step of their first pass, and a new scope a new step", () => {
    const steps = opSteps(tiledTrace());
    expect(steps.length).toBe(1 + 600 + 2);
    expect(steps[0]).toBe(0);
    expect(Array.from(steps.slice(1, 7))).toEqual([1, 1, 2, 2, 3, 3]);
    expect(steps[600]).toBe(3);
    expect(Array.from(steps.slice(601))).toEqual([4, 5]);
  });

  test.prop([traceArbitrary({ maxBuffers: 30 })])("opSteps() is non-decreasing from 0, by at most one per event", (trace) => {
    const s = opSteps(trace);
    for (let i = 0; i < s.length; i++) {
      const prev = i === 0 ? 0 : s[i - 1];
      expect(s[i] - prev).toBeGreaterThanOrEqual(0);
      expect(s[i] - prev).toBeLessThanOrEqual(1);
    }
  });

  it("defaultXAxis() is op for tfjs traces, time for imported snapshots with times, event otherwise", () => {
    const t = tiledTrace();
    expect(defaultXAxis(t)).toBe("event");
    expect(defaultXAxis({ ...t, meta: { ...t.meta, source: "tfjs" } })).toBe("op");
    const timed = traceBuilder();
    timed.alloc({ bytes: 1, category: "weight" }, 0.5);
    const imported = timed.build();
    expect(defaultXAxis({ ...imported, meta: { ...imported.meta, source: "imported" } })).toBe("time");
    expect(defaultXAxis({ ...t, meta: { ...t.meta, source: "imported" } })).toBe("event");
    expect(defaultXAxis(undefined)).toBe("event");
  });

  it("timelineLayout() with x: 'op' gives the head as much width as the tiled attention's first pass", () => {
    const t = tiledTrace();
    const byEvent = timelineLayout(t, { x: "event" });
    const byOp = timelineLayout(t, { x: "op" });
    expect(byOp.xMode).toBe("op");
    expect(byOp.xEnd).toBe(6);
    expect(byOp.xLabel).toBe("op call (a loop's repeated kernels share one)");
    // The head's two calls: 2 of 603 events wide by event, 2 of 6 calls by op.
    const share = (L: typeof byOp, from: number) => (L.x(L.xEnd) - L.x(from)) / (L.plot.right - L.plot.left);
    expect(share(byEvent, 601)).toBeLessThan(0.01);
    expect(share(byOp, 4)).toBeCloseTo(2 / 6, 5);
    expect(byOp.desc).toContain("x axis by op call (6 calls)");
    expect(() => timelineLayout(t, { x: "steps" as never })).toThrow('timelineChart: unknown x "steps"; accepted: event, op, time');
  });
});
