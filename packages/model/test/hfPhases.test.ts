import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { timeline } from "@hbmscope/core";
import { modelAndSetupArbitrary } from "../src/testing.js";
import { defaultSetup, estimate, preset, programOf, simulateStep, withSetup } from "../src/index.js";

/** Setups the hf profile models itself (no fallback to fused), on one pipeline stage, 4 to 7 layers. */
const hfSetups = modelAndSetupArbitrary({
  model: { maxLayers: 10, maxHeads: 4, maxHeadDim: 16, maxVocab: 512 },
  setup: { maxBatch: 3, maxSeq: 96, maxDegree: 4 },
})
  .map(({ model, setup }) => ({ model: { ...model, layers: Math.max(6, model.layers) }, setup: { ...setup, pp: 1, implementation: "hf" as const } }))
  .filter(({ setup }) => programOf(setup).implementation === "hf" && (!setup.sp || setup.seq % setup.tp === 0));

describe("estimate() with implementation hf", () => {
  // Real sizes: the extrapolation is exact (the high point of each phase sits at the same op at every depth).
  for (const name of ["llama-2-7b", "llama-3-8b", "gpt2-small", "qwen2.5-0.5b"]) {
    for (const method of ["full", "lora"] as const) {
      it(`estimate() of ${name}, ${method}, equals the simulated hf peak`, () => {
        const model = preset(name);
        const setup = withSetup(defaultSetup, (d) => { d.method = method; d.seq = 1024; d.batch = 2; });
        const e = estimate(model, setup);
        const sim = timeline(simulateStep(model, setup));
        expect(e.peak.bytes).toBe(sim.peak.bytes);
        expect(e.peak.phase).toBe(sim.peak.phase);
      });
    }
  }

  test.prop([hfSetups, fc.constantFrom("cuda", "cpu" as const)], { numRuns: 100 })(
    "estimate() peak equals the simulated peak of the hf program (its phases extrapolated from 4 and 5 layers)",
    ({ model, setup }, device) => {
      const s = { ...setup, device };
      const e = estimate(model, s);
      const sim = timeline(simulateStep(model, s));
      expect(e.peak.bytes).toBe(sim.peak.bytes);
    },
  );
});
