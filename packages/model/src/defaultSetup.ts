import { freeze } from "immer";
import type { TrainingSetup } from "./modelSpec.js";

/**
 * The setup every variant starts from (frozen): one 2048-token sequence per GPU, `mixed` precision
 * in bf16, full fine-tuning with AdamW, no checkpointing, naive attention, one GPU.
 * LoRA defaults follow PEFT's `LoraConfig`: rank 8, targets q and v (PEFT's default target modules
 * for Llama-family models, `TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING`).
 */
export const defaultSetup: TrainingSetup = freeze(
  {
    batch: 1,
    seq: 2048,
    precision: "mixed",
    dtype: "bf16",
    method: "full",
    loraRank: 8,
    loraTargets: ["q", "v"],
    optimizer: "adamw",
    checkpointing: "none",
    attention: "naive",
    // 64: the default of the TensorFlow.js step (@hbmscope/tfjs STEP_DEFAULTS.blockSize), so `simulate`
    // and `profile` run the same config by default (FlashAttention-2, Dao 2023, tiles with blocks of
    // 64 or 128 rows, chosen per head dimension and GPU).
    blockSize: 64,
    dp: 1,
    zero: 0,
    tp: 1,
    sp: false,
    pp: 1,
  },
  true,
);
