import { describe, expect, it } from "vitest";
import { defaultSetup, pipelineSeries, pipelineSchedule, pipelineTimes, preset, simulatePipeline, withSetup } from "../../src/index.js";

describe("pipelineSeries", () => {
  for (const schedule of ["gpipe", "1f1b", "interleaved"] as const) {
    it(`pipelineSeries puts every event of every stage on the pipeline's clock, in order (${schedule})`, () => {
      const setup = withSetup(defaultSetup, (d) => { d.pp = 2; d.seq = 64; d.implementation = "fused"; });
      const sim = simulatePipeline(preset("gpt2-small"), setup, { schedule, microbatches: 4, virtualStages: schedule === "interleaved" ? 3 : 1 });
      const series = pipelineSeries(sim);
      const passes = pipelineTimes(pipelineSchedule({ schedule, pp: 2, microbatches: 4, virtualStages: sim.virtualStages }), { forward: 1 / sim.virtualStages, backward: 2 / sim.virtualStages });
      const flush = Math.max(...passes.flat().map((p) => p.end));
      series.forEach((s, i) => {
        expect(s.times.length).toBe(sim.stages[i].trace.events.length);
        expect(s.bytes.length).toBe(s.times.length);
        for (let k = 1; k < s.times.length; k++) expect(s.times[k]).toBeGreaterThanOrEqual(s.times[k - 1]);
        expect(s.times[s.times.length - 1]).toBeGreaterThan(flush);
        expect(Math.max(...s.bytes)).toBe(sim.stages[i].peakBytes);
      });
    });
  }
});
