/**
 * A decoder-only transformer, as much as memory needs to know of it.
 * Dimensions are element counts; nothing here is bytes.
 */
export interface ModelSpec {
  /** Display name (a preset's name, or the config file it came from). */
  name: string;
  layers: number;
  /** Model (residual) width h. */
  hidden: number;
  /** Attention (query) heads a. */
  heads: number;
  /** Key/value heads (GQA); equal to `heads` for multi-head attention. */
  kvHeads: number;
  /** Width of the MLP's inner layer. */
  ffn: number;
  vocab: number;
  /** `gelu`: two matrices (up, down); `swiglu`: three (gate, up, down). */
  activation: "gelu" | "swiglu";
  norm: "layernorm" | "rmsnorm";
  /** Input embedding and LM head share one matrix. */
  tiedEmbeddings: boolean;
  /** Learned position embeddings of this many positions (GPT-2, GPT-3); 0 for rotary (Llama). */
  positionEmbeddings: number;
  /** Largest sequence length the model supports. */
  maxPositions: number;
  /** Bias vectors on the linear layers (GPT-2/3: yes; Llama: no). */
  bias: boolean;
  /** Bias on q, k, v projections only (Qwen2). Ignored when `bias` is true. */
  qkvBias?: boolean;
  /** Dropout with 1-byte masks after attention softmax, attention output and MLP (GPT-3, Korthikanti et al. 2022); modern models have none. */
  dropout: boolean;
  /** Head dimension; defaults to hidden / heads (Gemma 7B differs). */
  headDim?: number;
}

/** Precision policies (see `precisionBytes` in the package README). */
export type PrecisionPolicy = "fp32" | "amp" | "mixed" | "mixed-fp32-grads" | "bf16-pure";

export type Method = "full" | "lora" | "qlora";
export type OptimizerName = "adamw" | "adamw-8bit" | "sgd" | "sgd-momentum" | "adafactor" | "lion";
export type Checkpointing = "none" | "selective" | "full";
export type AttentionKind = "naive" | "chunked" | "chunked-recompute" | "flash" | "sdpa";

/** One training step's setup. Immutable: derive variants with `withSetup`. */
export interface TrainingSetup {
  /** Micro-batch size per GPU (sequences). */
  batch: number;
  /** Sequence length (tokens). */
  seq: number;
  precision: PrecisionPolicy;
  /** The 16-bit type where the policy uses one. */
  dtype: "bf16" | "fp16";
  method: Method;
  /** LoRA rank r. */
  loraRank: number;
  /** Modules that get LoRA adapters (`q`, `k`, `v`, `o`, `gate`, `up`, `down`). */
  loraTargets: string[];
  optimizer: OptimizerName;
  checkpointing: Checkpointing;
  attention: AttentionKind;
  /** Query/key block size of the chunked and flash variants. */
  blockSize: number;
  /** Data-parallel degree. */
  dp: number;
  /** ZeRO stage over the data-parallel group (3 = FSDP full shard). */
  zero: 0 | 1 | 2 | 3;
  /** Tensor-parallel degree. */
  tp: number;
  /** Sequence parallelism (with tensor parallelism; Korthikanti et al. 2022). */
  sp: boolean;
  /** Pipeline-parallel degree. */
  pp: number;
  /** Microbatches in flight on the first pipeline stage (1F1B: pp). */
  microbatchesInFlight?: number;
  /**
   * Whose code runs the step: `hf` (Hugging Face transformers' modeling code as written, with PEFT
   * for LoRA) or `fused` (what fused kernels keep: Megatron-LM, Liger, flash-attn stacks).
   * @defaultValue `"hf"`
   */
  implementation?: Implementation;
  /** The device PyTorch runs on, for the behaviours that differ with it (dropout masks, the optimizer's default path). @defaultValue `"cuda"` */
  device?: "cuda" | "cpu";
  /**
   * The training loop: `keep-output` as everyone writes it (`out = model(**batch)`: the previous `out`
   * lives until the next forward returns), or `drop-output` (`del out` after backward). Only `hf`.
   * @defaultValue `"keep-output"`
   */
  loop?: "keep-output" | "drop-output";
  /**
   * `model.enable_input_require_grads()` was called (PEFT's `prepare_model_for_kbit_training` does; so does
   * `gradient_checkpointing_enable`): the embedding output is a leaf that requires grad, so a frozen first
   * layer saves for backward. Only `hf`. @defaultValue true with full checkpointing, else false
   */
  inputRequiresGrad?: boolean;
  /** `use_cache` of the forward call (Hugging Face's config default is true, also in training). Only `hf`. @defaultValue `true` */
  useCache?: boolean;
}

export type Implementation = "hf" | "fused";
