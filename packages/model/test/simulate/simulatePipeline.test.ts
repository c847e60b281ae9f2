import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { parseTrace, timeline, type Trace } from "@hbmscope/core";
import { modelAndSetupArbitrary } from "../../src/testing.js";
import { defaultSetup, preset, simulatePipeline, simulateStep, withSetup } from "../../src/index.js";

// Small models with 2 to 6 layers and a pipeline of 2 to 4 stages that fits them.
const small = modelAndSetupArbitrary({
  model: { maxLayers: 6, maxHeads: 4, maxHeadDim: 16, maxVocab: 256 },
  setup: { maxBatch: 2, maxSeq: 32, maxDegree: 4 },
})
  .filter(({ model, setup }) => model.layers >= 2 && (!setup.sp || setup.seq % setup.tp === 0))
  .chain(({ model, setup }) => fc.integer({ min: 2, max: Math.min(4, model.layers) }).map((pp) => ({ model, setup: { ...setup, pp, implementation: "fused" as const } })));

/** Bytes of weights allocated in the setup phase (before the first pass). */
function setupWeights(trace: Trace): number {
  let n = 0;
  for (const b of trace.buffers) if (b.category === "weight" && b.phase === "setup") n += b.bytes;
  return n;
}

describe("simulatePipeline", () => {
  it("simulatePipeline gives a valid trace per stage with its peak's phase, microbatch and op", () => {
    const setup = withSetup(defaultSetup, (d) => {
      d.pp = 2;
      d.seq = 128;
      d.implementation = "fused";
    });
    const r = simulatePipeline(preset("gpt2-small"), setup, { schedule: "1f1b", microbatches: 4 });
    expect(r.stages.map((s) => s.layers)).toEqual([[[0, 6]], [[6, 12]]]);
    for (const s of r.stages) {
      expect(() => parseTrace(JSON.stringify(s.trace))).not.toThrow();
      expect(s.peakBytes).toBeGreaterThan(0);
      expect(["forward", "backward", "optimizer"]).toContain(s.peakPhase);
      expect(s.peakMicrobatch).toBeGreaterThanOrEqual(-1);
      expect(s.trace.marks.filter((m) => m.kind === "microbatch")).toHaveLength(8);
    }
  });

  it("simulatePipeline refuses a schedule it does not know, and simulateStep points to it for pp > 1", () => {
    const setup = withSetup(defaultSetup, (d) => { d.pp = 2; });
    expect(() => simulatePipeline(preset("gpt2-small"), setup, { schedule: "zigzag" as never })).toThrow(/simulatePipeline: unknown schedule "zigzag"; accepted: gpipe, 1f1b, interleaved/);
    expect(() => simulateStep(preset("gpt2-small"), setup)).toThrow(/simulatePipeline/);
    expect(() => simulatePipeline(preset("gpt2-small"), setup, { schedule: "interleaved", virtualStages: 5, microbatches: 2 })).toThrow(/stageLayers: interleaving needs the 12 layers to split evenly/);
    const uneven = simulatePipeline(preset("gpt2-small"), withSetup(setup, (d) => { d.pp = 5; d.seq = 32; d.implementation = "fused"; }), { microbatches: 5 });
    expect(uneven.notes).toEqual(["pp 5 does not divide the 12 layers: stages hold 3, 3, 2, 2, 2 layers (the first ones one more)"]);
  });

  test.prop([small], { numRuns: 15 })("simulatePipeline: the stages' weights add up to the unsplit model's (plus the last stage's copy of a tied embedding)", ({ model, setup }) => {
    const r = simulatePipeline(model, setup, { schedule: "1f1b", microbatches: 2 });
    const unsplit = simulateStep(model, { ...setup, pp: 1 });
    const whole = setupWeights(unsplit);
    const embedding = unsplit.buffers.filter((x) => x.category === "weight" && x.phase === "setup" && x.scope === "embed/wte").reduce((n, x) => n + x.bytes, 0);
    const sum = r.stages.reduce((n, s) => n + setupWeights(s.trace), 0);
    expect(embedding).toBeGreaterThan(0);
    expect(sum).toBe(whole + (model.tiedEmbeddings ? embedding : 0));
  });

  test.prop([small], { numRuns: 15 })("simulatePipeline: GPipe's first stage peaks at least as high as 1F1B's", ({ model, setup }) => {
    const M = setup.pp + 2;
    const g = simulatePipeline(model, setup, { schedule: "gpipe", microbatches: M });
    const f = simulatePipeline(model, setup, { schedule: "1f1b", microbatches: M });
    expect(g.stages[0].peakBytes).toBeGreaterThanOrEqual(f.stages[0].peakBytes);
  });

  test.prop([small], { numRuns: 15 })("simulatePipeline: with M <= pp - i, stage i's GPipe and 1F1B traces are the same", ({ model, setup }) => {
    const M = 1 + (setup.batch % setup.pp);
    const g = simulatePipeline(model, setup, { schedule: "gpipe", microbatches: M });
    const f = simulatePipeline(model, setup, { schedule: "1f1b", microbatches: M });
    for (let i = 0; i < setup.pp; i++) {
      if (M <= setup.pp - i) expect(f.stages[i].trace.events).toEqual(g.stages[i].trace.events);
    }
  });

  test.prop([small], { numRuns: 10 })("simulatePipeline: 1F1B's peak on every stage stops growing once M exceeds the microbatches in flight", ({ model, setup }) => {
    const a = simulatePipeline(model, setup, { schedule: "1f1b", microbatches: setup.pp + 1 });
    const b = simulatePipeline(model, setup, { schedule: "1f1b", microbatches: setup.pp + 3 });
    expect(b.stages.map((s) => s.peakBytes)).toEqual(a.stages.map((s) => s.peakBytes));
  });

  // The passes' high point (the optimizer step's, the same for any M, can be higher on tiny models).
  const passesPeak = (trace: Trace) => Math.max(...timeline(trace).phasePeaks.filter((p) => p.phase === "forward" || p.phase === "backward").map((p) => p.bytes));

  test.prop([small], { numRuns: 10 })("simulatePipeline: a GPipe stage's forward/backward peak grows with the microbatches it holds", ({ model, setup }) => {
    const a = simulatePipeline(model, setup, { schedule: "gpipe", microbatches: 1 });
    const b = simulatePipeline(model, setup, { schedule: "gpipe", microbatches: 3 });
    b.stages.forEach((s, i) => expect(passesPeak(s.trace)).toBeGreaterThan(passesPeak(a.stages[i].trace)));
  });
});
