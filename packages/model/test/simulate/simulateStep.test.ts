import { describe, expect } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { parseTrace, timeline, type Trace } from "@hbmscope/core";
import { modelAndSetupArbitrary } from "../../src/testing.js";
import { simulateStep } from "../../src/index.js";
import type { TrainingSetup } from "../../src/modelSpec.js";

const small = modelAndSetupArbitrary({
  model: { maxLayers: 3, maxHeads: 4, maxHeadDim: 16, maxVocab: 512 },
  setup: { maxBatch: 3, maxSeq: 64, maxDegree: 4 },
}).filter(({ setup }) => setup.pp === 1 && (!setup.sp || setup.seq % setup.tp === 0));

/** Live bytes per category after the last event. */
function endState(trace: Trace) {
  const live = new Map<number, number>();
  for (const e of trace.events) {
    if (e.kind === "alloc") live.set(e.buffer, trace.buffers[e.buffer].bytes);
    else live.delete(e.buffer);
  }
  const by: Record<string, number> = {};
  for (const [id, bytes] of live) by[trace.buffers[id].category] = (by[trace.buffers[id].category] ?? 0) + bytes;
  return by;
}

describe("simulateStep() laws", () => {
  test.prop([small, fc.constantFrom("hf", "fused" as const)], { numRuns: 60 })("simulateStep() gives a valid trace that ends holding only the model states and the batch (loop drop-output)", ({ model, setup }, implementation) => {
    for (const mode of ["train", "forward"] as const) {
      const trace = simulateStep(model, { ...setup, implementation, loop: "drop-output" }, { mode });
      expect(() => parseTrace(JSON.parse(JSON.stringify(trace)))).not.toThrow();
      const phases = trace.marks.filter((m) => m.kind === "phase").map((m) => m.label);
      expect(phases).toEqual(mode === "train" ? ["setup", "forward", "backward", "optimizer"] : ["setup", "forward"]);
      expect(trace.marks.filter((m) => m.kind === "layer").length).toBe(mode === "train" ? 2 * model.layers : model.layers);
      const end = endState(trace);
      expect(end.weight).toBeGreaterThan(0);
      expect(end.input).toBe(2 * 8 * setup.batch * setup.seq);
      for (const k of Object.keys(end)) expect(["input", "weight", ...(mode === "train" ? ["optimizer"] : [])]).toContain(k);
      const tl = timeline(trace);
      expect(tl.peak.bytes).toBeGreaterThanOrEqual(tl.end);
    }
  });

  test.prop([small, fc.constantFrom("cuda", "cpu" as const)], { numRuns: 40 })("simulateStep() with loop keep-output ends where it started: the step is a steady state", ({ model, setup }, device) => {
    for (const mode of ["train", "forward"] as const) {
      const trace = simulateStep(model, { ...setup, implementation: "hf", loop: "keep-output", device }, { mode });
      const tl = timeline(trace);
      const start = tl.total[trace.marks.find((m) => m.label === "forward")!.at - 1];
      expect(tl.end).toBe(start);
    }
  });

  const withPatch = (setup: TrainingSetup, patch: Partial<TrainingSetup>): TrainingSetup => ({ ...setup, ...patch });

  test.prop([small], { numRuns: 40 })("simulateStep() peak grows with the batch", ({ model, setup }) => {
    const a = timeline(simulateStep(model, setup)).peak.bytes;
    const b = timeline(simulateStep(model, withPatch(setup, { batch: setup.batch + 1 }))).peak.bytes;
    expect(b).toBeGreaterThanOrEqual(a);
  });

  // Flash keeps its output O for backward even where naive attention keeps nothing of the context
  // (a frozen o-projection under LoRA), and under the hf profile its saved Q is a view of GPT-2's
  // fused qkv projection, keeping K and V's part too (eager's matmul saves a reshaped copy of Q):
  // the law needs the s² terms to outweigh them, s > 3d.
  const longEnough = small.filter(({ model, setup }) => setup.seq >= 3 * (model.headDim ?? model.hidden / model.heads) + 8);
  test.prop([longEnough], { numRuns: 40 })("simulateStep() flash never peaks above naive attention once seq > 3 x head dim", ({ model, setup }) => {
    const naive = timeline(simulateStep(model, withPatch(setup, { attention: "naive" }))).peak.bytes;
    const flash = timeline(simulateStep(model, withPatch(setup, { attention: "flash" }))).peak.bytes;
    expect(flash).toBeLessThanOrEqual(naive);
  });

  test.prop([small], { numRuns: 40 })("simulateStep() saves no more at the end of forward with checkpointing (full <= selective <= none)", ({ model, setup }) => {
    const savedAtBackward = (checkpointing: TrainingSetup["checkpointing"]) => {
      const trace = simulateStep(model, withPatch(setup, { checkpointing, implementation: "fused" }));
      const at = trace.marks.find((m) => m.label === "backward")!.at;
      return timeline(trace).total[at - 1];
    };
    const none = savedAtBackward("none");
    const selective = savedAtBackward("selective");
    const full = savedAtBackward("full");
    expect(selective).toBeLessThanOrEqual(none);
    expect(full).toBeLessThanOrEqual(selective);
  });
});

describe("simulateStep() bad input", () => {
  test.prop([fc.constantFrom("layers", "hidden", "heads", "vocab"), fc.constantFrom(0, -3, 1.5, Number.NaN)])("simulateStep() names the field and the value of a bad model", (field, value) => {
    const model = { name: "m", layers: 1, hidden: 8, heads: 2, kvHeads: 2, ffn: 16, vocab: 32, activation: "gelu", norm: "layernorm", tiedEmbeddings: true, positionEmbeddings: 8, maxPositions: 8, bias: false, dropout: false } as const;
    const setup: TrainingSetup = { batch: 1, seq: 8, precision: "fp32", dtype: "bf16", method: "full", loraRank: 8, loraTargets: ["q"], optimizer: "adamw", checkpointing: "none", attention: "naive", blockSize: 4, dp: 1, zero: 0, tp: 1, sp: false, pp: 1 };
    expect(() => simulateStep({ ...model, [field]: value }, setup)).toThrow(new RegExp(`simulateStep: model\\.${field}`));
  });
});
