import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { defaultSetup, estimate, modelStates, parameterCount, parameterGroups, preset, withSetup, type Estimate, type TrainingSetup } from "../src/index.js";
import { modelAndSetupArbitrary, modelSpecArbitrary, setupArbitrary } from "../src/testing.js";

const states = (e: Estimate) => e.weights.bytes + e.gradients.bytes + e.optimizer.bytes;
const small = { model: { maxLayers: 6, maxHeads: 8, maxHeadDim: 64, maxVocab: 8192 }, setup: { maxBatch: 4, maxSeq: 1024 } };
const pair = modelAndSetupArbitrary(small);

describe("estimate", () => {
  it("estimate() of llama-2-7b LoRA with full checkpointing and flash fits in 24 GB, dominated by the 16-bit base", () => {
    const setup = withSetup(defaultSetup, (d) => { d.method = "lora"; d.checkpointing = "full"; d.attention = "flash"; });
    const e = estimate(preset("llama-2-7b"), setup);
    expect(e.weights.bytes).toBe(2 * 6_738_415_616 + 2 * e.trainableParams);
    expect(e.trainableParams).toBe(32 * 2 * 8 * (4096 + 4096));
    expect(e.total).toBeLessThan(24e9);
    expect(e.peakPhase).toBe("backward");
  });

  it("estimate() of llama-2-7b full fine-tuning needs more than 80 GB; with foreach AdamW it peaks at the optimizer step", () => {
    const setup = withSetup(defaultSetup, (d) => { d.checkpointing = "full"; d.attention = "flash"; d.implementation = "fused"; });
    const fused = estimate(preset("llama-2-7b"), setup);
    expect(fused.optimizer.bytes).toBe(12 * 6_738_415_616);
    expect(fused.total).toBeGreaterThan(80e9);
    expect(fused.peakPhase).toBe("backward");
    // Once every gradient exists: the embedding's backward (the simulated step peaks there too, to the byte).
    expect(fused.peak.at).toBe("backward of the embedding");
    const foreach = estimate(preset("llama-2-7b"), setup, { fusedOptimizer: false });
    expect(foreach.peakPhase).toBe("optimizer");
    expect(foreach.temporaries.optimizer.bytes).toBe(4 * 6_738_415_616);
  });

  it("estimate() keeps the fp32 log-probabilities of a large vocabulary: 4·s·b·v bytes", () => {
    const e = estimate(preset("llama-3-8b"), withSetup(defaultSetup, (d) => { d.seq = 4096; d.checkpointing = "full"; }));
    expect(e.activations.logits.bytes).toBe(2 * 2 * 4096 * 4096 + 4 * 4096 * 128256 + 8 * 4096);
    expect(e.activations.logits.bytes).toBeGreaterThan(e.activations.norms.bytes);
  });

  it("estimate() counts 8-bit AdamW states of tensors under 4096 elements at 32 bits", () => {
    const gpt2 = preset("gpt2-small");
    const setup = withSetup(defaultSetup, (d) => { d.seq = 1024; d.optimizer = "adamw-8bit"; d.precision = "bf16-pure"; });
    const groups = parameterGroups(gpt2, setup, "only");
    const small = groups.filter((g) => g.elements < 4096).reduce((s, g) => s + g.elements * g.count, 0);
    const large = groups.filter((g) => g.elements >= 4096);
    const expected = 8 * small + large.reduce((s, g) => s + g.count * 2 * (g.elements + 4 * Math.ceil(g.elements / 2048)), 0);
    expect(small).toBeGreaterThan(0);
    expect(modelStates(groups, setup).optimizer.bytes).toBe(expected);
  });

  it("estimate() factors Adafactor's second moment of a matrix into rows + columns", () => {
    const m = preset("gpt2-small");
    const s = withSetup(defaultSetup, (d) => { d.seq = 128; d.optimizer = "adafactor"; d.precision = "fp32"; });
    const groups = parameterGroups(m, s, "only");
    const expected = groups.reduce((acc, g) => acc + g.count * 4 * (g.shape.length === 2 ? g.shape[0] + g.shape[1] : g.elements), 0);
    expect(estimate(m, s).optimizer.bytes).toBe(expected);
  });

  it("estimate() under amp keeps autocast's 16-bit copies of the linear weights from forward into backward", () => {
    const m = preset("llama-2-7b");
    const s = withSetup(defaultSetup, (d) => { d.precision = "amp"; d.attention = "flash"; d.implementation = "fused"; });
    const e = estimate(m, s);
    const c = parameterCount(m);
    const linears = c.layers - c.perLayer.norms * m.layers + c.lmHead;
    const withoutCast = estimate(m, withSetup(s, (d) => { d.precision = "fp32"; }));
    expect(e.temporaries.forward.formula).toMatch(/autocast/);
    expect(e.phases[0].temporary - (2 * 2048 * 32000 + 4 * 2048 * 32000)).toBe(2 * linears);
    expect(withoutCast.temporaries.forward.formula).not.toMatch(/autocast/);
  });

  it("estimate() rejects a bad setup naming the field", () => {
    expect(() => estimate(preset("llama-2-7b"), { ...defaultSetup, tp: 5 })).toThrow(/tp 5 must divide the 32 attention heads/);
    expect(() => estimate(preset("llama-2-7b"), { ...defaultSetup, batch: -1 })).toThrow(/batch must be a positive integer, got -1/);
    expect(() => estimate(preset("llama-2-7b"), defaultSetup, { overhead: { cudaContext: Number.NaN } })).toThrow(/overhead.cudaContext/);
  });

  it("estimate() lets the user change the named overhead defaults", () => {
    const m = preset("gpt2-small");
    const s = withSetup(defaultSetup, (d) => { d.seq = 512; });
    const a = estimate(m, s);
    const b = estimate(m, s, { overhead: { cudaContext: 0, extra: 1000 } });
    expect(a.total - b.total).toBe(a.overhead.items.find((i) => i.name === "cudaContext")!.bytes - 1000);
  });

  it("estimate() pipeline: the first stage holds pp microbatches of its layers' activations", () => {
    const m = preset("llama-2-7b");
    const s = withSetup(defaultSetup, (d) => { d.pp = 4; d.checkpointing = "none"; d.attention = "flash"; });
    const e = estimate(m, s);
    if (e.stage === "first") expect(e.activations.microbatches).toBe(4);
    expect(e.activations.layers).toBe(8);
  });
});

describe("estimate laws", () => {
  test.prop([pair])("estimate() breakdown sums to its total, in every phase", ({ model, setup }) => {
    const e = estimate(model, setup);
    for (const p of e.phases) expect(p.weights + p.gradients + p.optimizer + p.activations + p.temporary).toBe(p.bytes);
    expect(e.peak.bytes + e.overhead.bytes).toBe(e.total);
    expect(Math.max(...e.phases.map((p) => p.bytes))).toBe(e.peak.bytes);
    const a = e.activations;
    expect(a.attention.bytes + a.mlp.bytes + a.norms.bytes + a.checkpoints.bytes + a.embeddings.bytes + a.logits.bytes).toBeCloseTo(a.bytes, 3);
    for (const t of [e.weights, e.gradients, e.optimizer, a, a.attention, a.perLayer, e.overhead]) {
      expect(Number.isFinite(t.bytes) && t.bytes >= 0).toBe(true);
      expect(t.formula.length).toBeGreaterThan(0);
      expect(t.source.length).toBeGreaterThan(0);
    }
  });

  test.prop([pair, fc.integer({ min: 1, max: 8 })])("estimate() grows with batch", ({ model, setup }, more) => {
    const a = estimate(model, setup);
    const b = estimate(model, { ...setup, batch: setup.batch + more });
    expect(b.total).toBeGreaterThanOrEqual(a.total);
    if (setup.pp === 1) expect(b.activations.bytes).toBeGreaterThan(a.activations.bytes);
  });

  test.prop([pair, fc.integer({ min: 1, max: 256 })])("estimate() grows with sequence length", ({ model, setup }, more) => {
    fc.pre(model.positionEmbeddings === 0 || setup.seq + more <= model.positionEmbeddings);
    const a = estimate(model, setup);
    const b = estimate(model, { ...setup, seq: setup.seq + more });
    expect(b.total).toBeGreaterThanOrEqual(a.total);
    if (setup.pp === 1) expect(b.activations.bytes).toBeGreaterThan(a.activations.bytes);
  });

  // Flash keeps its output O where naive attention may keep nothing of the context (a frozen
  // o-projection under LoRA) and an fp32 log-sum-exp, its backward holds the gradients of Q, K, V
  // and O at once, and under the hf profile its saved Q is a view of GPT-2's fused qkv projection,
  // which keeps all three alive: the s² scores outweigh them once s > 3d (as simulateStep's law).
  test.prop([pair])("estimate() flash <= naive (seq >= 3 × head dim + 8)", ({ model, setup }) => {
    fc.pre(setup.seq >= 3 * (model.headDim ?? model.hidden / model.heads) + 8);
    const naive = estimate(model, { ...setup, attention: "naive" });
    const flash = estimate(model, { ...setup, attention: "flash" });
    expect(flash.total).toBeLessThanOrEqual(naive.total);
    // Activations are compared on one stage; with pp > 1 the reported (heavier) stage may differ.
    if (setup.pp === 1) expect(flash.activations.bytes).toBeLessThanOrEqual(naive.activations.bytes);
  });

  // Under LoRA with flash, selective recomputation keeps no flash output (a frozen o-projection does
  // not save it) while full recomputation holds the rebuilt layer, O included, during its backward:
  // there full <= selective needs full fine-tuning (the simulation agrees).
  test.prop([pair])("estimate() full <= selective <= no checkpointing (full <= selective: full fine-tuning)", ({ model, setup }) => {
    // Selective recomputation is a fused-kernel (Megatron-LM) feature: compared on the fused profile.
    const at = (checkpointing: TrainingSetup["checkpointing"]) => estimate(model, { ...setup, checkpointing, implementation: "fused" });
    const [none, selective, full] = [at("none"), at("selective"), at("full")];
    expect(selective.total).toBeLessThanOrEqual(none.total);
    expect(full.total).toBeLessThanOrEqual(none.total);
    if (setup.method === "full" || setup.attention !== "flash") expect(full.total).toBeLessThanOrEqual(selective.total);
    if (setup.pp > 1) return;
    expect(full.activations.bytes).toBeLessThanOrEqual(selective.activations.bytes);
    expect(selective.activations.bytes).toBeLessThanOrEqual(none.activations.bytes);
  });

  // NF4 stores whole 64-weight blocks (codes, an 8-bit absmax, an fp32 constant per 256 blocks): a
  // linear of fewer than 4 weights takes more than 16-bit. hidden >= 4 keeps every linear at 4 or more.
  // pp = 1: with pipelining the heaviest stage is reported, and LoRA's and QLoRA's may differ.
  test.prop([pair])("estimate() QLoRA weights < LoRA weights (hidden >= 4, one pipeline stage)", ({ model, setup }) => {
    fc.pre(model.hidden >= 4);
    const lora = estimate(model, { ...setup, pp: 1, method: "lora" });
    const qlora = estimate(model, { ...setup, pp: 1, method: "qlora" });
    expect(qlora.weights.bytes).toBeLessThan(lora.weights.bytes);
  });

  test.prop([pair, fc.integer({ min: 2, max: 64 })])("estimate() ZeRO-3 model states per GPU = total / N", ({ model, setup }, n) => {
    // pp = 1: with pipelining the heavier stage is reported, and which one that is may change with sharding.
    const one = estimate(model, { ...setup, pp: 1, dp: 1, zero: 0 });
    const sharded = estimate(model, { ...setup, pp: 1, dp: n, zero: 3 });
    // Each of the three terms is rounded up to whole bytes.
    expect(Math.abs(states(sharded) - states(one) / n)).toBeLessThanOrEqual(3);
  });

  test.prop([modelSpecArbitrary(small.model).chain((m) => setupArbitrary(m, { ...small.setup, parallel: false }).map((s) => ({ m, s })))])(
    "estimate() ZeRO stages never add memory: 3 <= 2 <= 1 <= 0",
    ({ m, s }) => {
      const z = [0, 1, 2, 3].map((zero) => states(estimate(m, { ...s, dp: 8, zero: zero as 0 | 1 | 2 | 3 })));
      for (let i = 1; i < 4; i++) expect(z[i]).toBeLessThanOrEqual(z[i - 1]);
    },
  );
});
