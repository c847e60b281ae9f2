import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { defaultSetup, estimate, fits, maxBatch, preset, suggest, withSetup } from "../src/index.js";
import { modelAndSetupArbitrary } from "../src/testing.js";

const llama = preset("llama-2-7b");
const loraSetup = withSetup(defaultSetup, (d) => { d.method = "lora"; d.checkpointing = "full"; d.attention = "flash"; });
const fullSetup = withSetup(loraSetup, (d) => { d.method = "full"; });

describe("fits", () => {
  it("fits() compares the total with the GPU's bytes and reports the headroom", () => {
    const f = fits({ total: 20e9 }, "24GB");
    expect(f).toMatchObject({ fits: true, needed: 20e9, headroom: 4e9 });
    expect(fits({ total: 25e9 }, "RTX 4090").fits).toBe(false);
  });
});

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

describe("suggest", () => {
  it("suggest() of llama-2-7b full fine-tuning on 80 GB names setups that fit, cheapest first", () => {
    const s = suggest(llama, fullSetup, "80GB");
    expect(s.length).toBeGreaterThan(0);
    for (const x of s) {
      expect(x.total).toBeLessThanOrEqual(80e9);
      expect(estimate(llama, x.setup).total).toBe(x.total);
    }
    for (let i = 1; i < s.length; i++) expect(s[i].cost).toBeGreaterThanOrEqual(s[i - 1].cost);
    expect(s.some((x) => x.changes.some((c) => c.field === "method" && c.to === "lora"))).toBe(true);
  });

  it("suggest() returns nothing for a setup that already fits", () => {
    expect(suggest(llama, loraSetup, "24GB")).toEqual([]);
  });

  it("suggest() keeps only minimal combinations", () => {
    const s = suggest(llama, fullSetup, "80GB");
    const keys = s.map((x) => new Set(x.changes.map((c) => `${c.field}=${String(c.to)}`)));
    for (const a of keys) for (const b of keys) if (a !== b) expect([...a].every((k) => b.has(k)) && a.size < b.size).toBe(false);
  });

  it("suggest() can trade batch for memory", () => {
    const big = withSetup(loraSetup, (d) => { d.batch = 64; });
    const s = suggest(llama, big, "24GB");
    expect(s.some((x) => x.changes.some((c) => c.field === "batch"))).toBe(true);
  });
});
