import { timeline } from "@hbmscope/core";
import { simulateStep, type ModelSpec, type TrainingSetup } from "@hbmscope/model";
import type { StepConfig } from "@hbmscope/tfjs";

/**
 * The bytes a tfjs step will hold at its peak on a backend (every buffer, kernel temporaries
 * included), from the simulator with tfjs semantics (which matches measured steps within 2%,
 * packages/tfjs/test/simulateStep.fidelity.test.ts). Undefined when the simulator cannot model
 * this config. Used before a `profile` on wasm to warn when the step will not fit its heap.
 */
export function stepHeapEstimate(c: StepConfig, backend: "wasm" | "cpu"): number | undefined {
  const model: ModelSpec = {
    name: "step", layers: c.layers, hidden: c.hidden, heads: c.heads, kvHeads: c.heads, ffn: c.ffn, vocab: c.vocab,
    activation: "gelu", norm: c.norm, tiedEmbeddings: false, positionEmbeddings: c.seq, maxPositions: c.seq, bias: false, dropout: false,
  };
  const setup: TrainingSetup = {
    batch: c.batch, seq: c.seq, precision: "fp32", dtype: "bf16", method: "full", loraRank: 8, loraTargets: [], optimizer: "adamw",
    checkpointing: "none", attention: c.attention, blockSize: c.blockSize, dp: 1, zero: 0, tp: 1, sp: false, pp: 1,
  };
  try {
    const trace = simulateStep(model, setup, { semantics: "tfjs", backend, mode: c.mode });
    return timeline(trace, { view: "backend" }).peak.bytes;
  } catch {
    return undefined;
  }
}
