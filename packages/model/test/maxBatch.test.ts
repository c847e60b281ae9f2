import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { defaultSetup, estimate, fits, maxBatch, preset, suggest, withSetup } from "../src/index.js";
import { modelAndSetupArbitrary } from "../src/testing.js";

const llama = preset("llama-2-7b");
const loraSetup = withSetup(defaultSetup, (d) => { d.method = "lora"; d.checkpointing = "full"; d.attention = "flash"; });
const fullSetup = withSetup(loraSetup, (d) => { d.method = "full"; });

describe("maxBatch", () => {
  it("maxBatch() is the largest batch that fits: one more does not", () => {
    const b = maxBatch(llama, loraSetup, "24GB");
    expect(b).toBeGreaterThan(1);
    expect(estimate(llama, { ...loraSetup, batch: b }).total).toBeLessThanOrEqual(24e9);
    expect(estimate(llama, { ...loraSetup, batch: b + 1 }).total).toBeGreaterThan(24e9);
  });

  it("maxBatch() is 0 when one sequence does not fit", () => {
    expect(maxBatch(llama, fullSetup, "80GB")).toBe(0);
  });

  test.prop([modelAndSetupArbitrary({ model: { maxLayers: 4, maxHeads: 8, maxHeadDim: 64, maxVocab: 4096 }, setup: { maxSeq: 512, parallel: false } }), fc.integer({ min: 1e8, max: 4e9 })])(
    "maxBatch() fits and the next batch does not (up to the limit)",
    ({ model, setup }, bytes) => {
      const b = maxBatch(model, setup, bytes, { limit: 512 });
      if (b > 0) expect(estimate(model, { ...setup, batch: b }).total).toBeLessThanOrEqual(bytes);
      if (b < 512) expect(estimate(model, { ...setup, batch: b + 1 }).total).toBeGreaterThan(bytes);
    },
  );
});
