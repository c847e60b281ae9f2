import type { ModelSpec, TrainingSetup } from "./modelSpec.js";
import { headDim } from "./modelTensors.js";
import { precisionBytes } from "./precisionBytes.js";
import { term, type Term } from "./term.js";

const KORTHIKANTI = "Korthikanti et al. 2022, 'Reducing Activation Recomputation in Large Transformer Models', sec. 4 and Table 2";

/** Activations one transformer layer saves for backward, per GPU and microbatch (bytes). */
export interface LayerActivations {
  attention: Term;
  mlp: Term;
  norms: Term;
  /** Layer inputs kept as checkpoints by full recomputation (0 otherwise). */
  checkpoints: Term;
  /** attention + mlp + norms + checkpoints. */
  total: Term;
  /** What the same layer saves without any recomputation. */
  withoutCheckpointing: number;
  /**
   * What backward rebuilds for one layer before its gradients: under full checkpointing the whole
   * layer but its saved input; under selective the attention core (s² terms, flash log-sum-exp).
   * saved + recomputed = withoutCheckpointing in every mode, plus the two norms' fp32 statistics
   * under full recomputation.
   */
  recomputed: number;
  /** Largest gradient-of-activation temporaries of one layer's backward (bytes). */
  backwardTemporary: number;
  /**
   * Bytes one layer's backward adds at its high point over what the layer keeps saved: the recomputed
   * part plus the MLP's gradient temporaries, or, later, the attention's once the MLP's saved tensors
   * are freed (that point can be below the saved bytes: then it is negative relative to them).
   */
  backwardWork: number;
  /** The MLP's part of `backwardWork`: the recomputed part plus the MLP's gradient temporaries. */
  backwardWorkMlp: number;
  /** The attention's part of `backwardWork`, once the MLP's saved tensors are freed (may be negative). */
  backwardWorkAttention: number;
  /**
   * The MLP's input side (the up and gate projections' backward, after the activation's): the
   * activation's saved inputs are freed, the MLP input's gradient is accumulated (two A·sbh) beside
   * the residual gradient and one A·sbf gradient.
   */
  backwardWorkMlpInput: number;
  /** The attention's input side (the q, k, v projections' backward), once the core's s² tensors are freed. */
  backwardWorkAttentionInput: number;
}

/**
 * Activation bytes one layer saves, generalising Korthikanti et al. 2022 (sbh(34 + 5as/h) for GPT-3
 * with 16-bit activations and 1-byte dropout masks) to GQA, SwiGLU, models without dropout, flash
 * attention, LoRA adapters, tensor and sequence parallelism and recomputation:
 *
 * - attention: norm output A·sbh, Q A·sb·a·d, K and V A·sb·kv·d each (naive: repeated to a heads,
 *   `repeat_kv`), attention output A·sb·a·d;
 *   naive: softmax A·as²b (+ dropout mask as²b and dropped probabilities A·as²b); flash: fp32
 *   log-sum-exp 4·asb (the output is the o-projection's input, counted once); output dropout mask sbh.
 * - MLP: input A·sbh; GELU: pre- and post-activation 2·A·sbf; SwiGLU: gate, up, silu(gate) and
 *   their product 4·A·sbf (PyTorch eager `down(act(gate(x)) * up(x))`); dropout mask sbh.
 * - norms: the inputs of the two norms 2·A·sbh.
 *
 * Tensor parallelism divides the head and MLP-width terms by t; sequence parallelism also the rest.
 * Selective recomputation drops the attention core (s² terms; flash's log-sum-exp); full
 * recomputation keeps only the layer input A·sbh
 * (divided by t with sequence parallelism).
 */
export function layerActivations(model: ModelSpec, setup: TrainingSetup): LayerActivations {
  const A = precisionBytes(setup.precision).activation;
  const { seq: s, batch: b, tp: t } = setup;
  const h = model.hidden;
  const d = headDim(model);
  const a = model.heads / t;
  const kv = model.kvHeads >= t ? model.kvHeads / t : 1;
  const f = model.ffn / t;
  const rep = setup.sp ? t : 1;
  const sb = s * b;
  const sbh = (sb * h) / rep;
  const drop = model.dropout ? 1 : 0;
  const naive = setup.attention === "naive" || setup.attention === "chunked";
  const lora = setup.method === "full" ? [] : setup.loraTargets;
  const r = setup.loraRank;
  const loraAttn = lora.filter((m) => m === "q" || m === "k" || m === "v" || m === "o").length * A * sb * r;
  const loraMlp = lora.filter((m) => m === "gate" || m === "up" || m === "down").length * A * sb * r;

  const scores = naive ? (A + drop * (1 + A)) * a * s * s * b : 0;
  const lse = setup.attention === "flash" ? 4 * a * sb : 0;
  // Naive (and chunked) attention with GQA saves K and V repeated to every query head: transformers'
  // eager attention runs `repeat_kv` (expand + reshape, a copy) before `torch.matmul`, and matmul saves
  // its inputs (modeling_llama.py `eager_attention_forward`). Flash reads the kv heads directly.
  const kvSaved = naive ? a : kv;
  // A linear saves its input only when its weight trains (PyTorch's generated autograd code saves
  // `self` of mm/addmm only `if (grad_fn->should_compute_output(1))`, i.e. when the weight needs a
  // gradient: pytorch/pytorch#42371, #45777; bitsandbytes `MatMul4Bit` likewise keeps no input for a
  // frozen NF4 weight). Under LoRA a frozen linear's input is kept only if an adapter reads it (its
  // lora_A saves it), so the norm outputs, the attention output and the MLP's last input count only with a trainable reader.
  const trains = (m: string) => setup.method === "full" || lora.includes(m);
  const normOut = trains("q") || trains("k") || trains("v") ? A * sbh : 0;
  // Flash keeps O itself, except under selective recomputation (the kernel reruns in backward).
  const attnOut = (setup.attention === "flash" && setup.checkpointing !== "selective") || trains("o") ? A * sb * a * d : 0;
  const mlpIn = trains("up") || (model.activation === "swiglu" && trains("gate")) ? A * sbh : 0;
  // GELU saves its input; SwiGLU's SiLU its input and the product both factors; the down projection
  // its input (the activation output) when it trains.
  const mlpWidth = ((model.activation === "swiglu" ? 3 : 1) + (trains("down") ? 1 : 0)) * A * sb * f;
  const attnLinear = normOut + A * sb * (a + 2 * kvSaved) * d + attnOut + drop * sbh + loraAttn;
  const mlpFull = mlpIn + mlpWidth + drop * sbh + loraMlp;
  const normsFull = 2 * A * sbh;
  const withoutCheckpointing = attnLinear + scores + lse + mlpFull + normsFull;
  const backwardTemporary = Math.max(naive ? 2 * A * a * s * s * b : 0, 2 * A * sb * f) + 2 * A * sbh;
  // Backward runs the MLP before attention and frees the MLP's saved tensors (and the second norm's
  // input) before the attention core's gradients exist (PyTorch autograd releases a node's saved
  // tensors once it has run), so the two temporaries do not meet.
  const mlpFreed = mlpFull + A * sbh;
  // Naive attention's backward: the gradient of the probabilities and of the scores (softmax backward
  // reads both and its saved output), 2·A·as²b; with dropout the high point is the gradient of the
  // dropped probabilities while they and the mask are still saved, one A·as²b (dropout's backward
  // frees them before softmax's runs).
  // At the attention core's backward the residual stream's gradient (A·sbh) is live, the output
  // dropout's mask is released and, for naive attention, the o-projection's saved input too (flash
  // keeps O until its own backward). Then, per head-local context size C = A·sb·a·d:
  // - naive: probs @ V's backward makes the gradients of the (dropped) probabilities A·as²b and of V
  //   (C, repeated to every head) beside the context's gradient C; without dropout softmax's backward
  //   then holds both probability gradients 2·A·as²b and V's; Q @ Kᵀ's backward holds Q's, K's and V's (3C);
  // - flash: the output's gradient C beside the gradients of Q, K and V, A·sb(a + 2kv)d.
  const ctx = A * sb * a * d;
  const attnScoresGrad = naive
    ? Math.max(A * a * s * s * b + 2 * ctx, drop ? 0 : 2 * A * a * s * s * b + ctx, 3 * ctx)
    : ctx + A * sb * (a + 2 * kv) * d;
  const attnReleased = (naive ? attnOut : 0) + drop * sbh;
  const work = (recomputed: number) => {
    // The activation's backward (SwiGLU's product: the gradients of both factors beside the hidden
    // gradient, 3·A·sbf; GELU: 2·A·sbf) with the residual gradient, once the down projection's
    // saved input (when it trains) is released.
    const downIn = trains("down") ? A * sb * f : 0;
    // The down projection's backward: its input's gradient A·sbf beside the residual gradient and its
    // output's (2·A·sbh); with an adapter, the LoRA sum's two input gradients and x·A's gradient too.
    const loraDown = setup.method !== "full" && lora.includes("down") ? 2 * A * sbh + A * sb * r : 0;
    const mlp = Math.max(recomputed - downIn + (model.activation === "swiglu" ? 3 : 2) * A * sb * f + A * sbh, recomputed + A * sb * f + 2 * A * sbh + loraDown);
    const attn = recomputed - mlpFreed - attnReleased + attnScoresGrad + A * sbh;
    // SiLU keeps gate, the product keeps silu(gate) and up; GELU keeps its input: freed by then.
    const activationSaved = (model.activation === "swiglu" ? 3 : 1) * A * sb * f;
    const mlpInput = recomputed - activationSaved + A * sb * f + 3 * A * sbh;
    // The q, k, v projections' backward: the attention core's s² tensors are released; the gradients
    // of Q, K, V, of the norm output (accumulated: two A·sbh) and the residual gradient are live.
    // The core's saved tensors are released by then: the s² terms, flash's log-sum-exp and output O.
    const coreReleased = scores + lse + (setup.attention === "flash" ? ctx : 0);
    const attnInput = recomputed - mlpFreed - attnReleased - coreReleased + A * sb * (a + 2 * kv) * d + 3 * A * sbh;
    return {
      backwardWork: Math.max(mlp, attn, attnInput),
      backwardWorkMlp: mlp,
      backwardWorkAttention: attn,
      backwardWorkMlpInput: mlpInput,
      backwardWorkAttentionInput: attnInput,
    };
  };

  if (setup.checkpointing === "full") {
    const input = A * sbh;
    const zero = term(0, "0 (recomputed in backward)", KORTHIKANTI);
    // The rerun norms make their fp32 statistics again ([b, s] each: mean and rstd for LayerNorm, rstd
    // for RMSNorm), beside what the paper counts.
    const stats = (2 * (model.norm === "layernorm" ? 2 : 1) * 4 * sb) / rep;
    const recomputed = withoutCheckpointing - input + stats;
    return {
      recomputed,
      attention: zero,
      mlp: zero,
      norms: zero,
      checkpoints: term(input, `layer input A·sbh${setup.sp ? "/t" : ""}`, `${KORTHIKANTI}: full recomputation keeps 2sbh`),
      total: term(input, `A·sbh${setup.sp ? "/t" : ""}`, `${KORTHIKANTI}: full recomputation`),
      withoutCheckpointing,
      backwardTemporary,
      ...work(recomputed),
    };
  }
  // Selective recomputation (Korthikanti et al. 2022 sec. 5) recomputes the attention core: the s²
  // terms of naive attention, and the flash kernel (so its log-sum-exp is not kept either).
  const selective = setup.checkpointing === "selective";
  const attention = attnLinear + (selective ? 0 : scores + lse);
  const scoreText = naive
    ? setup.checkpointing === "selective"
      ? " (s² terms recomputed: selective)"
      : ` + ${model.dropout ? "(2A+1)" : "A"}·as²b/t`
    : setup.attention === "flash" && !selective
      ? " + 4·asb/t (fp32 logsumexp)"
      : "";
  const total = attention + mlpFull + normsFull;
  return {
    recomputed: selective ? scores + lse : 0,
    attention: term(
      attention,
      `A·sbh${setup.sp ? "/t" : ""} + A·sb(a+2${naive && kv < a ? "a" : "kv"})d/t + A·sb·a·d/t${model.dropout ? ` + sbh${setup.sp ? "/t" : ""}` : ""}${scoreText}${loraAttn ? " + A·sbr per LoRA target" : ""}`,
      setup.attention === "flash" ? `${KORTHIKANTI}; Dao et al. 2022 (FlashAttention) saves O and the log-sum-exp` : KORTHIKANTI,
    ),
    mlp: term(
      mlpFull,
      `A·sbh${setup.sp ? "/t" : ""} + ${model.activation === "swiglu" ? "4" : "2"}·A·sbf/t${model.dropout ? ` + sbh${setup.sp ? "/t" : ""}` : ""}${loraMlp ? " + A·sbr per LoRA target" : ""}`,
      model.activation === "swiglu" ? `${KORTHIKANTI}, with SwiGLU's gate, up, silu and product (transformers LlamaMLP)` : KORTHIKANTI,
    ),
    norms: term(normsFull, `2·A·sbh${setup.sp ? "/t" : ""}`, KORTHIKANTI),
    checkpoints: term(0, "0 (no full recomputation)", KORTHIKANTI),
    total: term(total, "attention + mlp + norms", KORTHIKANTI),
    withoutCheckpointing,
    backwardTemporary,
    // Selective flash reruns the kernel: its output O is made again and kept until the kernel's
    // backward (unless the o-projection already keeps it).
    ...work(selective ? scores + lse + (setup.attention === "flash" && !trains("o") ? ctx : 0) : 0),
  };
}
