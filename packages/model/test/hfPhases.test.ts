import { describe, expect } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { timeline } from "@hbmscope/core";
import { modelAndSetupArbitrary } from "../src/testing.js";
import { estimate, programOf, simulateStep } from "../src/index.js";

/** Setups the hf profile models itself (no fallback to fused), on one pipeline stage, 4 to 7 layers. */
const hfSetups = modelAndSetupArbitrary({
  model: { maxLayers: 7, maxHeads: 4, maxHeadDim: 16, maxVocab: 512 },
  setup: { maxBatch: 3, maxSeq: 96, maxDegree: 4 },
})
  .map(({ model, setup }) => ({ model: { ...model, layers: Math.max(4, model.layers) }, setup: { ...setup, pp: 1, implementation: "hf" as const } }))
  .filter(({ setup }) => programOf(setup).implementation === "hf" && (!setup.sp || setup.seq % setup.tp === 0));

describe("estimate() with implementation hf", () => {
  test.prop([hfSetups, fc.constantFrom("cuda", "cpu" as const)], { numRuns: 80 })(
    "estimate() peak equals the simulated peak of the hf program (its phases extrapolated from 2 and 3 layers)",
    ({ model, setup }, device) => {
      const s = { ...setup, device };
      const e = estimate(model, s);
      const sim = timeline(simulateStep(model, s));
      expect(e.peak.bytes).toBe(sim.peak.bytes);
      expect(e.peak.phase).toBe(sim.peak.phase);
    },
  );
});
