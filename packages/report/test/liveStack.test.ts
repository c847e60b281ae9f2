import { fc, test } from "@fast-check/vitest";
import { CATEGORIES, liveAt, parseTrace, traceBuilder } from "@hbmscope/core";
import { traceArbitrary } from "@hbmscope/core/testing";
import { describe, expect, it } from "vitest";
import { bufferAtHeight, liveStack } from "../src/liveStack.js";

describe("liveStack", () => {
  it("liveStack() stacks by category, oldest first, and bufferAtHeight() names the buffer at a height", () => {
    const b = traceBuilder();
    const act = b.alloc({ bytes: 100, category: "activation" });
    const w1 = b.alloc({ bytes: 10, category: "weight" });
    const w2 = b.alloc({ bytes: 20, category: "weight" });
    const t = b.build();
    const s = liveStack(t, 2);
    expect(Array.from(s.buffers)).toEqual([w1, w2, act]);
    expect(Array.from(s.below)).toEqual([0, 10, 30]);
    expect([0, 9.5, 10, 29, 30, 129, 130].map((h) => bufferAtHeight(t, s, h))).toEqual([0, 0, 1, 1, 2, 2, -1]);
  });
  it("liveStack() refuses an index outside the trace", () => {
    expect(() => liveStack(traceBuilder().build(), 3)).toThrow("liveStack: index must be an event index in -1..-1, got 3");
  });
  test.prop([traceArbitrary({ maxBuffers: 20 }), fc.double({ min: 0, max: 1, noNaN: true })])(
    "liveStack() holds exactly liveAt()'s buffers, in category order, summing to the live bytes",
    (raw, at) => {
      const t = parseTrace(raw);
      if (t.events.length === 0) return;
      const index = Math.floor(at * (t.events.length - 1));
      const s = liveStack(t, index);
      const expected = liveAt(t, index).map((b) => t.buffers.indexOf(b));
      expect([...s.buffers].sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
      const cats = Array.from(s.buffers, (b) => CATEGORIES.indexOf(t.buffers[b].category));
      expect(cats).toEqual([...cats].sort((a, b) => a - b));
      expect(s.total).toBe(expected.reduce((sum, b) => sum + t.buffers[b].bytes, 0));
    },
  );
});
