import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { timeline, type Trace } from "@hbmscope/core";
import { defaultSetup, estimate, modelFromHfConfig, simulateStep, withSetup, type ModelSpec, type TrainingSetup } from "../../src/index.js";
import { modelSpecArbitrary, setupArbitrary } from "../../src/testing.js";

/**
 * "formula == simulation where assumptions match" (docs/design.md): estimate() against
 * simulateStep(..., { semantics: "eager" }) on one GPU, full fine-tuning, naive and flash attention,
 * every checkpointing mode.
 *
 * - Exact: the estimator's two loss-side points. "end of forward" is the moment log-softmax runs
 *   (16-bit logits, their fp32 upcast and the fp32 log-probabilities live); "start of backward" is the
 *   moment log-softmax's backward allocates the gradient of the fp32 logits (the gradient of the
 *   log-probabilities and the kept 16-bit logits live too). Any precision and optimizer.
 * - The whole peak (estimate.total - overhead vs the simulated physical peak), model shapes like real
 *   LLMs (>= 2 layers, hidden >= 64, vocab >= 8 × hidden, seq >= 64), 16-bit weights and activations
 *   (mixed, mixed-fp32-grads, bf16-pure), any optimizer: within 2.5% without
 *   full checkpointing, within -2.5%..+10% with it (+4.4% seen in 400 draws, one CI draw above 5%). Where the peak is at the loss or the optimizer step
 *   the two are equal (about 4 draws in 5). The rest is the estimator's one-layer approximation of a
 *   backward point: the recomputed layer and the MLP's gradient temporaries counted as coexisting
 *   (full checkpointing, errs high), and the embedding's backward with fp32 main gradients. Largest
 *   differences seen in 400 draws: +2.1% (none/selective), +4.4% (full). fp32 and amp, left
 *   out here, reach +7.6% and +8.2% with full checkpointing: the same approximation, larger in proportion
 *   to the model states (fp32 gradients, amp's weight copies).
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

const fullFineTuning = modelSpecArbitrary(small).chain((model) =>
  setupArbitrary(model, { maxBatch: 4, maxSeq: 256, parallel: false })
    .filter((s) => s.method === "full" && attentions(s))
    .map((setup) => ({ model, setup })),
);

describe("estimate() vs simulateStep() eager, at the loss", () => {
  test.prop([fullFineTuning], { numRuns: 60 })("estimate() end of forward equals the simulated live bytes when log-softmax runs", ({ model, setup }) => {
    const e = estimate(model, setup);
    const trace = simulateStep(model, setup, { semantics: "eager" });
    expect(e.phases.find((p) => p.phase === "forward")!.bytes).toBe(liveAfter(trace, "log_softmax"));
  });

  test.prop([fullFineTuning], { numRuns: 60 })("estimate() start of backward equals the simulated live bytes when log-softmax's backward allocates (else its backward point is higher)", ({ model, setup }) => {
    const e = estimate(model, setup);
    const trace = simulateStep(model, setup, { semantics: "eager" });
    const backward = e.phases.find((p) => p.phase === "backward")!;
    const sim = liveAfter(trace, "log_softmax_backward");
    if (backward.at.startsWith("start of backward")) expect(backward.bytes).toBe(sim);
    else expect(backward.bytes).toBeGreaterThanOrEqual(sim);
  });
});

const llmShaped = (checkpointing: (c: TrainingSetup["checkpointing"]) => boolean) =>
  modelSpecArbitrary(small)
    .filter((m) => m.layers >= 2 && m.hidden >= 64 && m.vocab >= 8 * m.hidden)
    .chain((model) =>
      setupArbitrary(model, { maxBatch: 4, maxSeq: 256, parallel: false })
        .filter((s) => s.method === "full" && attentions(s) && s.seq >= 64 && s.precision !== "fp32" && s.precision !== "amp" && checkpointing(s.checkpointing))
        .map((setup) => ({ model, setup })),
    );

/** (estimate peak - simulated peak) / simulated peak. */
function gap(model: ModelSpec, setup: TrainingSetup): number {
  const e = estimate(model, setup);
  const sim = timeline(simulateStep(model, setup, { semantics: "eager" })).peak.bytes;
  return (e.total - e.overhead.bytes - sim) / sim;
}

describe("estimate() vs simulateStep() eager, the whole peak", () => {
  test.prop([llmShaped((c) => c !== "full")], { numRuns: 60 })("estimate() total minus overhead is within 2.5% of the simulated physical peak without full checkpointing", ({ model, setup }) => {
    expect(Math.abs(gap(model, setup))).toBeLessThanOrEqual(0.025);
  });

  test.prop([llmShaped((c) => c === "full")], { numRuns: 60 })("estimate() total minus overhead is within -2.5%..+10% of the simulated physical peak with full checkpointing (errs high)", ({ model, setup }) => {
    const g = gap(model, setup);
    expect(g).toBeGreaterThanOrEqual(-0.025);
    expect(g).toBeLessThanOrEqual(0.1);
  });

  const tinyllama = modelFromHfConfig(JSON.parse(readFileSync(new URL("../../../../examples/tinyllama-1.1b/config.json", import.meta.url), "utf8")));
  // Batch 2 × 2048, mixed bf16, AdamW: the notebook's cases. Exact where the peak is at the loss; the
  // rest is the one-layer backward approximation.
  const cases: [TrainingSetup["checkpointing"], TrainingSetup["attention"], number][] = [
    ["none", "flash", 0], ["selective", "flash", 0], ["none", "naive", 0],
    ["selective", "naive", 0.02], ["full", "flash", 0.02], ["full", "naive", 0.02],
  ];
  for (const [checkpointing, attention, tolerance] of cases) {
    it(`estimate() of TinyLlama 1.1B, batch 2, ${attention}, checkpointing ${checkpointing}: ${tolerance ? "within 2% of" : "equals"} the simulated peak`, () => {
      const setup = withSetup(defaultSetup, (d) => { d.batch = 2; d.attention = attention; d.checkpointing = checkpointing; });
      const g = gap(tinyllama, setup);
      if (tolerance === 0) expect(g).toBe(0);
      else expect(Math.abs(g)).toBeLessThanOrEqual(tolerance);
    });
  }
});
