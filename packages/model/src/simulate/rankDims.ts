import type { ModelSpec, TrainingSetup } from "../modelSpec.js";

/** Tensor dimensions on one rank (tensor parallel splits heads, ffn and vocab; sequence parallel splits s). */
export interface RankDims {
  b: number;
  s: number;
  /** Sequence length of tensors outside the tensor-parallel regions (s / tp under sequence parallel). */
  sLocal: number;
  h: number;
  d: number;
  aLocal: number;
  kvLocal: number;
  qDim: number;
  kvDim: number;
  ffnLocal: number;
  vocabLocal: number;
  /** Layers simulated on this rank. */
  layers: number;
}

export function rankDims(model: ModelSpec, setup: TrainingSetup): RankDims {
  const t = setup.tp;
  const d = model.headDim ?? model.hidden / model.heads;
  const aLocal = model.heads / t;
  // Megatron-LM replicates key/value heads when there are fewer of them than tensor-parallel ranks.
  const kvLocal = Math.max(1, model.kvHeads / t);
  return {
    b: setup.batch,
    s: setup.seq,
    sLocal: setup.sp && t > 1 ? setup.seq / t : setup.seq,
    h: model.hidden,
    d,
    aLocal,
    kvLocal,
    qDim: aLocal * d,
    kvDim: kvLocal * d,
    // Megatron-LM pads widths that do not split evenly.
    ffnLocal: Math.ceil(model.ffn / t),
    // Megatron-LM pads the vocabulary so that it splits evenly.
    vocabLocal: Math.ceil(model.vocab / t),
    layers: model.layers,
  };
}
