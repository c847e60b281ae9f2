import { traceBuilder } from "@hbmscope/core";
import { describe, expect, it } from "vitest";
import { reportSummary, summaryText } from "../src/summary.js";

function step(activation: number) {
  const b = traceBuilder();
  b.mark("forward");
  const w = b.alloc({ bytes: 1 << 20, category: "weight", op: "init" });
  const a = b.alloc({ bytes: activation, category: "activation", op: "Softmax", scope: "layer0/attn" });
  b.mark("backward");
  b.free(b.alloc({ bytes: 1 << 19, category: "gradient", op: "MatMulGrad" }));
  b.free(a);
  b.free(w);
  return b.build();
}

describe("reportSummary", () => {
  it("reportSummary() gives the peak, its phase and op, each phase's peak and the largest buffers there", () => {
    const s = reportSummary(step(3 << 20), "naive");
    expect([s.peakBytes, s.peakPhase, s.peakOp, s.replay]).toEqual([(1 << 20) + (3 << 20) + (1 << 19), "backward", "MatMulGrad", null]);
    expect(s.phasePeaks.map((p) => [p.phase, p.bytes])).toEqual([["forward", (1 << 20) + (3 << 20)], ["backward", (1 << 20) + (3 << 20) + (1 << 19)]]);
    expect(s.top.map((b) => b.op)).toEqual(["Softmax", "init", "MatMulGrad"]);
  });
  it("summaryText() with a comparison gives the difference at the peak and at each phase's peak", () => {
    const text = summaryText(reportSummary(step(3 << 20), "naive"), reportSummary(step(1 << 20), "flash"));
    expect(text).toContain("peak difference (flash - naive): -2.00 MiB (-44.4%)");
    expect(text).toContain("peak by phase (naive | flash | difference):\n  forward: 4.00 MiB | 2.00 MiB | -2.00 MiB\n  backward: 4.50 MiB | 2.50 MiB | -2.00 MiB");
  });
});
