import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { pipelineSchedule, pipelineTimes } from "../../src/index.js";

const shapes = fc
  .record({ pp: fc.integer({ min: 1, max: 8 }), groups: fc.integer({ min: 1, max: 4 }), extra: fc.integer({ min: 0, max: 7 }), V: fc.integer({ min: 1, max: 4 }) })
  .map(({ pp, groups, extra, V }) => ({ pp, M: pp * groups, Mfree: Math.max(1, pp * groups - extra), V }));

describe("pipelineTimes", () => {
  it("pipelineTimes gives 1F1B's bubble: a 4-stage, 8-microbatch step lasts (M + pp - 1)·(F + B)", () => {
    const t = pipelineTimes(pipelineSchedule({ schedule: "1f1b", pp: 4, microbatches: 8 }));
    const end = Math.max(...t.flat().map((p) => p.end));
    expect(end).toBe((8 + 4 - 1) * 3);
    expect(t[0][0]).toEqual({ start: 0, end: 1 });
    expect(t[3][0]).toEqual({ start: 3, end: 4 });
  });

  test.prop([shapes, fc.constantFrom("gpipe", "1f1b", "interleaved" as const)])("pipelineTimes never overlaps a stage's passes and finishes every schedule", ({ pp, M, Mfree, V }, schedule) => {
    const m = schedule === "interleaved" ? M : Mfree;
    const v = schedule === "interleaved" ? V : 1;
    const order = pipelineSchedule({ schedule, pp, microbatches: m, virtualStages: v });
    const t = pipelineTimes(order);
    t.forEach((passes, i) => {
      expect(passes).toHaveLength(order[i].length);
      for (let k = 1; k < passes.length; k++) expect(passes[k].start).toBeGreaterThanOrEqual(passes[k - 1].end);
    });
  });

  it("pipelineTimes: interleaving shortens the step (Narayanan et al. 2021 sec. 2.2: bubble / V)", () => {
    const span = (t: { end: number }[][]) => Math.max(...t.flat().map((p) => p.end));
    const plain = span(pipelineTimes(pipelineSchedule({ schedule: "1f1b", pp: 4, microbatches: 8 })));
    // V = 2 chunks of half the work each: scale chunk passes by 1/2.
    const inter = span(pipelineTimes(pipelineSchedule({ schedule: "interleaved", pp: 4, microbatches: 8, virtualStages: 2 }), { forward: 0.5, backward: 1 }));
    expect(inter).toBeLessThan(plain);
  });
});
