import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { inFlightMicrobatches, pipelineSchedule, type PipelineStep } from "../../src/index.js";

/** Most (microbatch, chunk) forwards whose backward has not run yet, at any point of a stage's order. */
function peakInFlight(steps: PipelineStep[]): number {
  let live = 0;
  let peak = 0;
  for (const s of steps) {
    live += s.pass === "forward" ? 1 : -1;
    peak = Math.max(peak, live);
  }
  return peak;
}

const shapes = fc
  .record({ pp: fc.integer({ min: 1, max: 8 }), groups: fc.integer({ min: 1, max: 4 }), extra: fc.integer({ min: 0, max: 7 }), V: fc.integer({ min: 1, max: 4 }) })
  .map(({ pp, groups, extra, V }) => ({ pp, M: pp * groups, Mfree: Math.max(1, pp * groups - extra), V }));

describe("pipelineSchedule", () => {
  it("pipelineSchedule gives 1F1B's warm-up, steady state and cool-down on a 4-stage pipeline of 8 microbatches", () => {
    const s = pipelineSchedule({ schedule: "1f1b", pp: 4, microbatches: 8 });
    const text = (steps: PipelineStep[]) => steps.map((x) => `${x.pass === "forward" ? "F" : "B"}${x.microbatch}`).join(" ");
    expect(text(s[0])).toBe("F0 F1 F2 F3 B0 F4 B1 F5 B2 F6 B3 F7 B4 B5 B6 B7");
    expect(text(s[3])).toBe("F0 B0 F1 B1 F2 B2 F3 B3 F4 B4 F5 B5 F6 B6 F7 B7");
  });

  it("pipelineSchedule gives Megatron-LM's interleaved order (pp 2, V 2, M 4) on the first stage", () => {
    const s = pipelineSchedule({ schedule: "interleaved", pp: 2, microbatches: 4, virtualStages: 2 });
    const text = s[0].map((x) => `${x.pass === "forward" ? "F" : "B"}${x.microbatch}.${x.chunk}`).join(" ");
    // warm-up (2 - 0 - 1)·2 + (2 - 1)·2 = 4 chunk-forwards.
    expect(text).toBe("F0.0 F1.0 F0.1 F1.1 F2.0 B0.1 F3.0 B1.1 F2.1 B0.0 F3.1 B1.0 B2.1 B3.1 B2.0 B3.0");
  });

  it("pipelineSchedule refuses bad input with the value and what is accepted", () => {
    expect(() => pipelineSchedule({ schedule: "zigzag" as never, pp: 2, microbatches: 2 })).toThrow(/pipelineSchedule: unknown schedule "zigzag"; accepted: gpipe, 1f1b, interleaved/);
    expect(() => pipelineSchedule({ schedule: "interleaved", pp: 4, microbatches: 6, virtualStages: 2 })).toThrow(/multiple of pp/);
    expect(() => pipelineSchedule({ schedule: "1f1b", pp: 4, microbatches: 6, virtualStages: 2 })).toThrow(/needs schedule interleaved/);
    expect(() => pipelineSchedule({ schedule: "1f1b", pp: 0, microbatches: 6 })).toThrow(/pp must be a positive integer, got 0/);
  });

  test.prop([shapes, fc.constantFrom("gpipe", "1f1b", "interleaved" as const)])(
    "pipelineSchedule runs every forward and backward once per stage, each backward after its forward",
    ({ pp, M, Mfree, V }, schedule) => {
      const m = schedule === "interleaved" ? M : Mfree;
      const v = schedule === "interleaved" ? V : 1;
      for (const steps of pipelineSchedule({ schedule, pp, microbatches: m, virtualStages: v })) {
        expect(steps).toHaveLength(2 * m * v);
        const done = new Set<string>();
        for (const s of steps) {
          const key = `${s.microbatch}.${s.chunk}`;
          if (s.pass === "forward") {
            expect(done.has(key)).toBe(false);
            done.add(key);
          } else expect(done.has(key)).toBe(true);
        }
        expect(done.size).toBe(m * v);
      }
    },
  );

  test.prop([shapes, fc.constantFrom("gpipe", "1f1b", "interleaved" as const)])(
    "inFlightMicrobatches equals the schedule's peak of forwards not yet backwarded, per stage",
    ({ pp, M, Mfree, V }, schedule) => {
      const m = schedule === "interleaved" ? M : Mfree;
      const v = schedule === "interleaved" ? V : 1;
      pipelineSchedule({ schedule, pp, microbatches: m, virtualStages: v }).forEach((steps, stage) => {
        expect(peakInFlight(steps) / v).toBe(inFlightMicrobatches(schedule, pp, stage, m, v));
      });
    },
  );

  test.prop([shapes])("inFlightMicrobatches: GPipe holds at least as many as 1F1B and interleaved on every stage; 1F1B never more than pp - stage", ({ pp, M, Mfree, V }) => {
    for (let stage = 0; stage < pp; stage++) {
      expect(inFlightMicrobatches("gpipe", pp, stage, Mfree)).toBeGreaterThanOrEqual(inFlightMicrobatches("1f1b", pp, stage, Mfree));
      expect(inFlightMicrobatches("gpipe", pp, stage, M)).toBeGreaterThanOrEqual(inFlightMicrobatches("interleaved", pp, stage, M, V));
      expect(inFlightMicrobatches("1f1b", pp, stage, Mfree)).toBeLessThanOrEqual(pp - stage);
    }
  });

  test.prop([shapes])("pipelineSchedule: 1F1B runs GPipe's order on stage i when M <= pp - i (and on no stage with fewer microbatches in flight)", ({ pp, Mfree }) => {
    const g = pipelineSchedule({ schedule: "gpipe", pp, microbatches: Mfree });
    const f = pipelineSchedule({ schedule: "1f1b", pp, microbatches: Mfree });
    for (let i = 0; i < pp; i++) {
      if (Mfree <= pp - i) expect(f[i]).toEqual(g[i]);
      else expect(f[i]).not.toEqual(g[i]);
    }
  });

  it("inFlightMicrobatches on the first interleaved stage is Korthikanti et al. 2022's pp·(1 + (pp - 1)/(pp·V))", () => {
    for (const [pp, V] of [[4, 2], [8, 3], [2, 4]]) {
      expect(inFlightMicrobatches("interleaved", pp, 0, 4 * pp, V)).toBeCloseTo(pp * (1 + (pp - 1) / (pp * V)), 12);
    }
  });
});
