import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { timeline, type Trace } from "@hbmscope/core";
import { defaultSetup, estimate, modelFromHfConfig, simulateStep, withSetup, type ModelSpec, type TrainingSetup } from "../../src/index.js";
import { modelSpecArbitrary, setupArbitrary } from "../../src/testing.js";

/** These laws are about the fused profile, which the closed-form estimator models (DESIGN.md: the `hf` profile is checked against recorded runs). */
const fused = <T extends object>(setup: T): T => ({ ...setup, implementation: "fused" });

/**
 * "formula == simulation where assumptions match" (docs/design.md): estimate() against
 * simulateStep(..., { semantics: "eager" }) on one GPU, naive and flash attention, every method
 * (full, LoRA, QLoRA), precision policy and checkpointing mode.
 *
 * - Exact: the estimator's two loss-side points. "end of forward" is the moment log-softmax runs
 *   (16-bit logits, their fp32 upcast and the fp32 log-probabilities live); "start of backward" is the
 *   moment log-softmax's backward allocates the gradient of the fp32 logits (the gradient of the
 *   log-probabilities and the kept 16-bit logits live too). Any method, precision and optimizer
 *   (0 differences in 3000 local draws).
 * - The whole peak (estimate.total - overhead vs the simulated physical peak), model shapes like real
 *   LLMs (>= 2 layers, hidden >= 64, vocab >= 8 × hidden, seq >= 64), any optimizer. Measured over
 *   5 × 2000 local draws per method and checkpointing class (seeds 11..51, drawn as the properties
 *   below draw), the estimate minus the simulation, lowest and highest (exact draws in brackets):
 *
 *   | method | no / selective checkpointing | full checkpointing |
 *   | --- | --- | --- |
 *   | full, 16-bit policies | 0..+0.78% (6060 of 6063 exact) | 0..+1.9% (5874 of 5948) |
 *   | full, fp32 / amp | 0..+0.02% / 0..+2.2% | 0..+2.1% / 0..+4.8% |
 *   | LoRA | 0..+0.97% (9996 of 10000) | -0.11%..+3.0% (9957 of 10000) |
 *   | QLoRA | 0..+0.14% (9998 of 10000) | 0..+6.7% (fp32; 16-bit +3.5%, amp +0.1%) |
 *
 *   What is left is the estimator's one-layer approximation of a backward point: the recomputed
 *   layer with the MLP's or the attention's gradient temporaries, a weight's fresh gradient beside
 *   its separate `.grad` (fp32 main gradients, amp) and QLoRA's dequantized weight counted at one
 *   moment, erring high, most with fp32 activations. The bounds below leave margin over those figures.
 */

const small = { maxLayers: 4, maxHeads: 8, maxHeadDim: 64, maxVocab: 8192 };
const attentions = (s: TrainingSetup) => s.attention === "naive" || s.attention === "flash";

/** Live bytes right after the (last) allocation made by `op`. */
function liveAfter(trace: Trace, op: string): number {
  let live = 0;
  let at = -1;
  for (const e of trace.events) {
    const b = trace.buffers[e.buffer];
    live += e.kind === "alloc" ? b.bytes : -b.bytes;
    if (e.kind === "alloc" && b.op === op) at = live;
  }
  if (at < 0) throw new Error(`no ${op} in the trace`);
  return at;
}

const anyMethod = modelSpecArbitrary(small).chain((model) =>
  setupArbitrary(model, { maxBatch: 4, maxSeq: 256, parallel: false })
    .filter((s) => attentions(s))
    .map((setup) => ({ model, setup })),
);

describe("estimate() vs simulateStep() eager, at the loss", () => {
  test.prop([anyMethod], { numRuns: 60 })("estimate() end of forward equals the simulated live bytes when log-softmax runs (else its forward point, QLoRA's dequantized weight, is higher)", ({ model, setup }) => {
    const e = estimate(model, fused(setup));
    const trace = simulateStep(model, fused(setup), { semantics: "eager" });
    const forward = e.phases.find((p) => p.phase === "forward")!;
    const sim = liveAfter(trace, "log_softmax");
    if (forward.at === "end of forward") expect(forward.bytes).toBe(sim);
    else expect(forward.bytes).toBeGreaterThanOrEqual(sim);
  });

  test.prop([anyMethod], { numRuns: 60 })("estimate() start of backward equals the simulated live bytes when log-softmax's backward allocates (else its backward point is higher)", ({ model, setup }) => {
    const e = estimate(model, fused(setup));
    const trace = simulateStep(model, fused(setup), { semantics: "eager" });
    const backward = e.phases.find((p) => p.phase === "backward")!;
    const sim = liveAfter(trace, "log_softmax_backward");
    if (backward.at.startsWith("start of backward")) expect(backward.bytes).toBe(sim);
    else expect(backward.bytes).toBeGreaterThanOrEqual(sim);
  });
});

const llmShaped = (keep: (s: TrainingSetup) => boolean) =>
  modelSpecArbitrary(small)
    .filter((m) => m.layers >= 2 && m.hidden >= 64 && m.vocab >= 8 * m.hidden)
    .chain((model) =>
      setupArbitrary(model, { maxBatch: 4, maxSeq: 256, parallel: false })
        // LoRA ranks like real ones, small beside the hidden size (r = 8..64 on 4096): a rank near
        // the hidden size makes the adapters' gradients as large as a layer's, where the
        // one-layer approximation of a backward point errs high (+7% seen at r = 50, hidden 91).
        .filter((s) => attentions(s) && s.seq >= 64 && (s.method === "full" || s.loraRank * 8 <= model.hidden) && keep(s))
        .map((setup) => ({ model, setup })),
    );
const sixteenBit = (s: TrainingSetup) => s.precision !== "fp32" && s.precision !== "amp";

/** (estimate peak - simulated peak) / simulated peak. */
function gap(model: ModelSpec, setup: TrainingSetup): number {
  const e = estimate(model, fused(setup));
  const sim = timeline(simulateStep(model, fused(setup), { semantics: "eager" })).peak.bytes;
  return (e.total - e.overhead.bytes - sim) / sim;
}

describe("estimate() vs simulateStep() eager, the whole peak", () => {
  // [method, setups, full checkpointing, upper bound]
  const properties: [TrainingSetup["method"], string, (s: TrainingSetup) => boolean, boolean, number][] = [
    // Bounds over the tails seen in 6,000-24,000 more draws per property (seeds 1-7, 12345,
    // 424242, 746308849, 64867855), highest: full 16-bit +2.19%, full any precision +3.75% (+4.65%
    // with full checkpointing), LoRA 16-bit +0.69% (+3.53%), QLoRA 16-bit +0.11% (+6.85% any
    // precision). fp32 and amp under LoRA / QLoRA have a rare tail without full checkpointing:
    // 2 draws in 9,000 each at +8.44% / +8.58% (e.g. QLoRA, fp32, tied embeddings, selective): a
    // known gap of the one-layer backward approximation. Bounds leave margin, so that a CI run of
    // 60 draws does not land on a rare tail.
    ["full", "16-bit", sixteenBit, false, 0.03],
    ["full", "any precision", () => true, false, 0.05],
    ["full", "any precision", () => true, true, 0.075],
    ["lora", "16-bit", sixteenBit, false, 0.015],
    ["lora", "fp32 / amp", (s) => !sixteenBit(s), false, 0.12],
    ["lora", "any precision", () => true, true, 0.07],
    ["qlora", "16-bit", sixteenBit, false, 0.01],
    ["qlora", "fp32 / amp", (s) => !sixteenBit(s), false, 0.12],
    ["qlora", "any precision", () => true, true, 0.12],
  ];
  for (const [method, which, keep, full, upper] of properties) {
    const draws = llmShaped((s) => s.method === method && keep(s) && (s.checkpointing === "full") === full);
    test.prop([draws], { numRuns: 60 })(
      `estimate() total minus overhead is within -0.5%..+${Math.round(upper * 1000) / 10}% of the simulated physical peak (${method}, ${which}, ${full ? "full checkpointing" : "no or selective checkpointing"})`,
      ({ model, setup }) => {
        const g = gap(model, setup);
        expect(g).toBeGreaterThanOrEqual(-0.005);
        expect(g).toBeLessThanOrEqual(upper);
      },
    );
  }

  const tinyllama = modelFromHfConfig(JSON.parse(readFileSync(new URL("../../../../examples/tinyllama-1.1b/config.json", import.meta.url), "utf8")));
  // Batch 2 × 2048, mixed bf16, AdamW: the notebook's cases. Exact where the peak is at the loss; the
  // rest is the one-layer backward approximation (seen: full +0.0001% selective naive, 0 / +0.09%
  // full flash / naive; LoRA +0.37% and QLoRA +0.81% full naive).
  const cases: [TrainingSetup["method"], TrainingSetup["checkpointing"], TrainingSetup["attention"], number][] = [
    ["full", "none", "flash", 0], ["full", "selective", "flash", 0], ["full", "none", "naive", 0],
    ["full", "selective", "naive", 0.001], ["full", "full", "flash", 0.005], ["full", "full", "naive", 0.005],
    ["lora", "none", "naive", 0], ["lora", "selective", "naive", 0], ["lora", "full", "flash", 0], ["lora", "full", "naive", 0.01],
    ["qlora", "none", "naive", 0], ["qlora", "selective", "naive", 0], ["qlora", "full", "flash", 0], ["qlora", "full", "naive", 0.015],
  ];
  for (const [method, checkpointing, attention, tolerance] of cases) {
    it(`estimate() of TinyLlama 1.1B, ${method}, batch 2, ${attention}, checkpointing ${checkpointing}: ${tolerance ? `within 0..+${tolerance * 100}% of` : "equals"} the simulated peak`, () => {
      const setup = withSetup(defaultSetup, (d) => { d.method = method; d.batch = 2; d.attention = attention; d.checkpointing = checkpointing; });
      const g = gap(tinyllama, setup);
      if (tolerance === 0) expect(g).toBe(0);
      else {
        expect(g).toBeGreaterThanOrEqual(0);
        expect(g).toBeLessThanOrEqual(tolerance);
      }
    });
  }
});
