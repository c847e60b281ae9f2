import type { AttentionKind, Checkpointing, Implementation, Method, OptimizerName, PrecisionPolicy, TrainingSetup } from "./modelSpec.js";

/** The accepted values of each enumerated setup field (for validation, CLI choices and arbitraries). */
export const setupChoices = Object.freeze({
  precision: ["fp32", "amp", "mixed", "mixed-fp32-grads", "bf16-pure"] as readonly PrecisionPolicy[],
  dtype: ["bf16", "fp16"] as readonly TrainingSetup["dtype"][],
  method: ["full", "lora", "qlora"] as readonly Method[],
  optimizer: ["adamw", "adamw-8bit", "sgd", "sgd-momentum", "adafactor", "lion"] as readonly OptimizerName[],
  checkpointing: ["none", "selective", "full"] as readonly Checkpointing[],
  attention: ["naive", "chunked", "chunked-recompute", "flash", "sdpa"] as readonly AttentionKind[],
  implementation: ["hf", "fused"] as readonly Implementation[],
  device: ["cuda", "cpu"] as readonly NonNullable<TrainingSetup["device"]>[],
  loop: ["keep-output", "drop-output"] as readonly NonNullable<TrainingSetup["loop"]>[],
  zero: [0, 1, 2, 3] as readonly TrainingSetup["zero"][],
  loraTargets: ["q", "k", "v", "o", "gate", "up", "down"] as readonly string[],
});
