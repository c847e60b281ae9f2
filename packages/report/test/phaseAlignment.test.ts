import { fc, test } from "@fast-check/vitest";
import { traceBuilder } from "@hbmscope/core";
import { describe, expect, it } from "vitest";
import { alignAt, phaseAlignment } from "../src/phaseAlignment.js";

function stepTrace(forward: number, backward: number) {
  const b = traceBuilder();
  b.mark("forward");
  const ids = Array.from({ length: forward }, () => b.alloc({ bytes: 8, category: "activation" }));
  b.mark("backward");
  for (let i = 0; i < backward; i++) b.free(ids[i]);
  return b.build();
}

describe("phaseAlignment", () => {
  it("phaseAlignment() sends each phase of b onto the same phase of a", () => {
    const knots = phaseAlignment(stepTrace(10, 10), stepTrace(4, 4));
    expect(alignAt(knots.b, knots.a, 4)).toBe(10); // b's backward starts at 4, a's at 10
    expect(alignAt(knots.b, knots.a, 2)).toBe(5);
    expect(alignAt(knots.b, knots.a, 8)).toBe(20);
  });
  test.prop([fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 })])(
    "phaseAlignment() knots increase in both runs, so alignAt() is monotone",
    (fa, ba, fb, bb) => {
      const k = phaseAlignment(stepTrace(fa, Math.min(fa, ba)), stepTrace(fb, Math.min(fb, bb)));
      for (let i = 1; i < k.a.length; i++) {
        expect(k.a[i]).toBeGreaterThan(k.a[i - 1]);
        expect(k.b[i]).toBeGreaterThan(k.b[i - 1]);
      }
    },
  );
});
