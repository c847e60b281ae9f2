import { describe, expect } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { CATEGORIES, timeline } from "@hbmscope/core";
import { simulateStep, type ModelSpec, type TrainingSetup } from "@hbmscope/model";
import { profileStep } from "../src/index.js";

/**
 * Fidelity of the simulator's tfjs semantics against real measurement (issue: the step simulator):
 * the simulated physical peak within 1% of `traceTfjs(transformerStep(...))` on cpu and 2% on wasm,
 * the same phase of the peak, and every category's share of the peak within 2 points.
 */
const smallStep = fc.record({
  vocab: fc.integer({ min: 8, max: 80 }),
  heads: fc.integer({ min: 1, max: 4 }),
  headDim: fc.integer({ min: 2, max: 12 }),
  layers: fc.integer({ min: 1, max: 2 }),
  ffn: fc.integer({ min: 4, max: 64 }),
  seq: fc.integer({ min: 2, max: 40 }),
  batch: fc.integer({ min: 1, max: 3 }),
  blockFraction: fc.double({ min: 0.05, max: 1, noNaN: true }),
  norm: fc.constantFrom("layernorm" as const, "rmsnorm" as const),
  backend: fc.constantFrom("cpu" as const, "wasm" as const),
});

const variants = ["naive", "chunked", "chunked-recompute", "flash"] as const;
const modes = ["train", "forward"] as const;

describe("simulateStep() tfjs semantics vs traceTfjs(transformerStep())", () => {
  for (const attention of variants) {
    for (const mode of modes) {
      test.prop([smallStep], { numRuns: 4 })(`simulateStep() matches the measured ${attention} ${mode} step`, async (c) => {
        const hidden = c.heads * c.headDim;
        const blockSize = Math.max(1, Math.round(c.blockFraction * c.seq));
        const measured = await profileStep(
          { vocab: c.vocab, hidden, heads: c.heads, layers: c.layers, ffn: c.ffn, seq: c.seq, batch: c.batch, attention, blockSize, norm: c.norm, mode },
          { backend: c.backend },
        );
        const model: ModelSpec = {
          name: "small",
          layers: c.layers,
          hidden,
          heads: c.heads,
          kvHeads: c.heads,
          ffn: c.ffn,
          vocab: c.vocab,
          activation: "gelu",
          norm: c.norm,
          tiedEmbeddings: false,
          positionEmbeddings: c.seq,
          maxPositions: c.seq,
          bias: false,
          dropout: false,
        };
        const setup: TrainingSetup = {
          batch: c.batch,
          seq: c.seq,
          precision: "fp32",
          dtype: "bf16",
          method: "full",
          loraRank: 8,
          loraTargets: [],
          optimizer: "adamw",
          checkpointing: "none",
          attention,
          blockSize,
          dp: 1,
          zero: 0,
          tp: 1,
          sp: false,
          pp: 1,
        };
        const simulated = simulateStep(model, setup, { semantics: "tfjs", backend: c.backend, mode });
        const real = timeline(measured.trace, { view: "physical" });
        const sim = timeline(simulated, { view: "physical" });
        const tolerance = c.backend === "cpu" ? 0.01 : 0.02;
        expect(Math.abs(sim.peak.bytes - real.peak.bytes) / real.peak.bytes).toBeLessThanOrEqual(tolerance);
        expect(sim.peak.phase).toBe(real.peak.phase);
        for (const k of CATEGORIES) {
          expect(Math.abs(sim.byCategoryAtPeak[k] / sim.peak.bytes - real.byCategoryAtPeak[k] / real.peak.bytes)).toBeLessThanOrEqual(0.02);
        }
      });
    }
  }
});
