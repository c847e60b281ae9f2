import { describe, expect, it } from "vitest";
import type { Trace } from "@hbmscope/core";
import { defaultSetup, estimate, layerActivations, preset, simulateStep, withSetup, type TrainingSetup } from "../../src/index.js";

/** These laws are about the fused profile, which the closed-form estimator models (DESIGN.md: the `hf` profile is checked against recorded runs). */
const fused = <T extends object>(setup: T): T => ({ ...setup, implementation: "fused" });

/** Live bytes per category just before the first event of a phase. */
function liveBefore(trace: Trace, phase: string) {
  const at = trace.marks.find((m) => m.label === phase && m.kind === "phase")!.at;
  const live = new Map<number, number>();
  for (let i = 0; i < at; i++) {
    const e = trace.events[i];
    if (e.kind === "alloc") live.set(e.buffer, trace.buffers[e.buffer].bytes);
    else live.delete(e.buffer);
  }
  const by: Record<string, number> = {};
  for (const [id, bytes] of live) by[trace.buffers[id].category] = (by[trace.buffers[id].category] ?? 0) + bytes;
  return { by, ids: [...live.keys()] };
}

const llama = preset("llama-2-7b");
const setups: [string, (s: TrainingSetup) => void][] = [
  ["full mixed adamw", () => {}],
  ["full fp32 adamw", (s) => { s.precision = "fp32"; }],
  ["full amp adamw", (s) => { s.precision = "amp"; }],
  ["lora bf16-pure sgd-momentum, zero-1 over 4", (s) => { s.method = "lora"; s.precision = "bf16-pure"; s.optimizer = "sgd-momentum"; s.dp = 4; s.zero = 1; }],
  ["full mixed-fp32-grads", (s) => { s.precision = "mixed-fp32-grads"; }],
  ["full bf16-pure lion", (s) => { s.precision = "bf16-pure"; s.optimizer = "lion"; }],
  ["full mixed adamw-8bit", (s) => { s.optimizer = "adamw-8bit"; }],
  ["full mixed adafactor", (s) => { s.optimizer = "adafactor"; }],
  ["lora mixed", (s) => { s.method = "lora"; s.loraTargets = ["q", "k", "v", "o", "gate", "up", "down"]; }],
  ["qlora", (s) => { s.method = "qlora"; }],
  ["zero-3 over 8", (s) => { s.dp = 8; s.zero = 3; }],
  ["zero-2 over 8", (s) => { s.dp = 8; s.zero = 2; }],
  ["tp 2", (s) => { s.tp = 2; }],
];

describe("simulateStep() eager semantics vs estimate()", () => {
  for (const [name, patch] of setups) {
    it(`simulateStep() model states equal estimate()'s weights, gradients and optimizer terms (${name})`, () => {
      const setup = withSetup(withSetup(defaultSetup, (s) => { s.seq = 256; }), patch);
      const est = estimate(llama, fused(setup));
      const trace = simulateStep(llama, fused(setup), { semantics: "eager" });
      const atForward = liveBefore(trace, "forward").by;
      expect(atForward.weight).toBe(est.weights.bytes);
      expect(atForward.optimizer ?? 0).toBe(est.optimizer.bytes);
      const atOptimizer = liveBefore(trace, "optimizer").by;
      expect(atOptimizer.gradient ?? 0).toBe(est.gradients.bytes);
    });
  }

  it("simulateStep() per-layer activations equal layerActivations() plus the norms' fp32 statistics (named buffers)", () => {
    for (const patch of [(s: TrainingSetup) => { s.attention = "flash"; }, (s: TrainingSetup) => { s.checkpointing = "selective"; }, (s: TrainingSetup) => { s.tp = 4; s.sp = true; }]) {
      const setup = withSetup(withSetup(defaultSetup, (s) => { s.seq = 512; s.batch = 2; }), patch);
      const trace = simulateStep(llama, fused(setup), { semantics: "eager" });
      const { ids } = liveBefore(trace, "backward");
      const layer1 = ids.map((id) => trace.buffers[id]).filter((b) => b.category === "activation" && b.scope?.startsWith("layer1/"));
      const stats = layer1.filter((b) => b.op === "rms_norm" && b.dtype === "float32");
      const sLocal = setup.sp ? setup.seq / setup.tp : setup.seq;
      expect(stats.reduce((a, b) => a + b.bytes, 0)).toBe(2 * 4 * setup.batch * sLocal);
      const total = layer1.reduce((a, b) => a + b.bytes, 0);
      expect(total - 2 * 4 * setup.batch * sLocal).toBe(layerActivations(llama, setup).total.bytes);
    }
  });
});

describe("simulateStep() vs estimate() at the end of forward", () => {
  it("simulateStep() differs from estimate()'s end-of-forward point by one named buffer: the fp32 logits upcast, already freed", () => {
    const setup = withSetup(defaultSetup, (s) => { s.seq = 512; s.attention = "flash"; });
    const est = estimate(llama, fused(setup));
    const trace = simulateStep(llama, fused(setup), { semantics: "eager" });
    const { by, ids } = liveBefore(trace, "backward");
    const simBytes = Object.values(by).reduce((a, b) => a + b, 0);
    const forward = est.phases.find((p) => p.phase === "forward")!;
    const normStatistics = ids.map((id) => trace.buffers[id]).filter((b) => b.op === "rms_norm" && b.dtype === "float32").reduce((a, b) => a + b.bytes, 0);
    // 32 layers x 2 RMSNorms + the final norm, one fp32 rstd of [b, s] each: counted by the estimator's norms term.
    expect(normStatistics).toBe((2 * llama.layers + 1) * 4 * setup.batch * setup.seq);
    expect(est.activations.norms.bytes - layerActivations(llama, setup).norms.bytes * llama.layers).toBe(normStatistics);
    // The estimator's end-of-forward point is the moment log-softmax runs (fp32 upcast live); the
    // simulated upcast is freed once log-softmax has run (log-softmax keeps its own fp32 output).
    const upcast = trace.buffers.find((b) => b.op === "to_float32")!;
    expect(upcast.bytes).toBe(4 * setup.batch * setup.seq * llama.vocab);
    expect(ids).not.toContain(upcast.id);
    expect(simBytes - forward.bytes).toBe(-upcast.bytes);
  });
});
