import { defaultSetup } from "../defaultSetup.js";
import { modelFromHfConfig } from "../modelFromHfConfig.js";
import type { ModelSpec, TrainingSetup } from "../modelSpec.js";

/** A case of hbmscope's PyTorch recorder (`scripts/torch/record.py`), as it stores it in `meta.case`. */
export interface RecordedCase {
  name: string;
  hf_config: Record<string, unknown>;
  method: "full" | "lora";
  dtype: "float32" | "bfloat16";
  attn_implementation: "eager" | "sdpa";
  gradient_checkpointing: boolean;
  mode: "train" | "forward";
  batch: number;
  seq: number;
  optimizer?: string;
  loop?: "as-written" | "drop-out";
  use_cache?: boolean;
  lora?: { r?: number; target_modules?: string[]; enable_input_require_grads?: boolean };
}

/** PEFT module names to hbmscope's LoRA targets. */
const TARGETS: Record<string, string> = { q_proj: "q", k_proj: "k", v_proj: "v", o_proj: "o", gate_proj: "gate", up_proj: "up", down_proj: "down", c_attn: "qkv", c_proj: "o", c_fc: "up" };

/**
 * The model and setup that simulate a recorded PyTorch run: the HF config as `modelFromHfConfig` reads
 * it (`resolvedConfig`: the recorder's `meta.hfConfigResolved`, with transformers' defaults), `dtype` float32 as precision `fp32` and bfloat16 as `bf16-pure` (`model.to(torch.bfloat16)` with
 * `torch.optim.AdamW`: weights, gradients and states in bf16), eager attention as `naive`, the
 * recorder's loop (`as-written` keeps `out`), on the CPU, with the `hf` implementation.
 */
export function setupFromRecording(c: RecordedCase, resolvedConfig?: Record<string, unknown>): { model: ModelSpec; setup: TrainingSetup; mode: "train" | "forward" } {
  // The config with transformers' defaults filled in (GPT-2's dropout probabilities are defaults, not in the case's config).
  const model = modelFromHfConfig(resolvedConfig ?? c.hf_config, c.name);
  const setup: TrainingSetup = {
    ...defaultSetup,
    batch: c.batch,
    seq: c.seq,
    precision: c.dtype === "float32" ? "fp32" : "bf16-pure",
    dtype: "bf16",
    method: c.method,
    loraRank: c.lora?.r ?? 8,
    loraTargets: (c.lora?.target_modules ?? ["q_proj", "v_proj"]).map((m) => TARGETS[m] ?? m),
    optimizer: "adamw",
    checkpointing: c.gradient_checkpointing ? "full" : "none",
    attention: c.attn_implementation === "eager" ? "naive" : "sdpa",
    implementation: "hf",
    device: "cpu",
    loop: c.loop === "drop-out" ? "drop-output" : "keep-output",
    useCache: c.use_cache ?? true,
    inputRequiresGrad: c.lora?.enable_input_require_grads ?? false,
  };
  return { model, setup, mode: c.mode };
}
