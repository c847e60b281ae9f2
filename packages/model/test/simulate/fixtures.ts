import type { ModelSpec, TrainingSetup } from "../../src/modelSpec.js";

/** GPT-3 175B as Korthikanti et al. 2022 use it (h = 12288, a = 96, 1-byte dropout masks). */
export const gpt3: ModelSpec = {
  name: "gpt3-175b",
  layers: 96,
  hidden: 12288,
  heads: 96,
  kvHeads: 96,
  ffn: 4 * 12288,
  vocab: 50257,
  activation: "gelu",
  norm: "layernorm",
  tiedEmbeddings: true,
  positionEmbeddings: 2048,
  maxPositions: 2048,
  bias: true,
  dropout: true,
};

export const llama2_7b: ModelSpec = {
  name: "llama-2-7b",
  layers: 32,
  hidden: 4096,
  heads: 32,
  kvHeads: 32,
  ffn: 11008,
  vocab: 32000,
  activation: "swiglu",
  norm: "rmsnorm",
  tiedEmbeddings: false,
  positionEmbeddings: 0,
  maxPositions: 4096,
  bias: false,
  dropout: false,
};

export const baseSetup: TrainingSetup = {
  batch: 1,
  seq: 2048,
  precision: "mixed",
  dtype: "bf16",
  method: "full",
  loraRank: 16,
  loraTargets: ["q", "k", "v", "o", "gate", "up", "down"],
  optimizer: "adamw",
  checkpointing: "none",
  attention: "naive",
  blockSize: 128,
  dp: 1,
  zero: 0,
  tp: 1,
  sp: false,
  pp: 1,
};

export const setupWith = (patch: Partial<TrainingSetup>): TrainingSetup => ({ ...baseSetup, ...patch });
export const modelWith = (base: ModelSpec, patch: Partial<ModelSpec>): ModelSpec => ({ ...base, ...patch });
