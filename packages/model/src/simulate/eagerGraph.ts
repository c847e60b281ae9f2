import type { ModelSpec, TrainingSetup } from "../modelSpec.js";
import type { SimDtype } from "./dtype.js";
import type { PrecisionPlan } from "./precisionPlan.js";
import { GraphBuilder, type StepGraph } from "./stepGraph.js";
import { rankDims, type RankDims } from "./rankDims.js";

/**
 * The step as PyTorch modules run it (Megatron-LM / Hugging Face style), one op per module call.
 * What each op saves for backward follows the autograd formulas of PyTorch (`torch/csrc/autograd/
 * FunctionsManual.cpp`, `derivatives.yaml`) and the accounting of Korthikanti et al. 2022, section 4.1:
 * - linear saves its input when its weight is trainable (for dW) and its weight for dX (no memory);
 *   under autocast the saved weight is the 16-bit copy autocast made;
 * - LayerNorm / RMSNorm (fused kernels) save their input and fp32 statistics (mean and rstd, [b, s]);
 * - GELU saves its input; SiLU saves its input; a product saves both factors;
 * - softmax saves its output; dropout saves a 1-byte mask; a residual add saves nothing;
 * - the attention context is made contiguous ([b, a, s, d] to [b, s, a*d], a copy) for the output projection;
 * - log-softmax saves its fp32 output; the loss upcasts the logits to fp32 first (Hugging Face `logits.float()`).
 */
export function eagerGraph(model: ModelSpec, setup: TrainingSetup, plan: PrecisionPlan, training: boolean, part?: GraphPart): StepGraph {
  const g = new GraphBuilder(training);
  const dims = rankDims(model, setup);
  const { b, s, sLocal, h, d, qDim, kvDim, ffnLocal, vocabLocal, layers } = dims;
  const firstLayer = part?.layerStart ?? 0;
  const endLayer = part?.layerEnd ?? layers;
  const hasEmbedding = part?.first ?? true;
  const hasHead = part?.last ?? true;
  const act = plan.activation;
  const full = setup.method === "full";
  const qlora = setup.method === "qlora";
  const half: SimDtype = setup.dtype === "bf16" ? "bfloat16" : "float16";
  // QLoRA keeps everything except the quantised linears in 16-bit (bitsandbytes `compute_dtype`).
  const frozenDtype: SimDtype = qlora ? half : plan.weight;
  const weightDtype = (trainable: boolean) => (trainable ? plan.weight : frozenDtype);
  const targets = new Set(setup.loraTargets);

  const tokens = hasEmbedding ? g.tensor({ shape: [b, s], dtype: "int64", op: "input_ids", kind: "input", category: "input", requiresGrad: false, scope: "input" }) : -1;
  const labels = hasHead ? g.tensor({ shape: [b, s], dtype: "int64", op: "labels", kind: "input", category: "input", requiresGrad: false, scope: "input" }) : -1;

  /** A weight: trainable under full fine-tuning only. */
  const weight = (name: string, shape: number[], quantisable = false) => {
    const nf4 = qlora && quantisable;
    return g.param(name, shape, nf4 ? "nf4" : weightDtype(full), { trainable: full, nf4 });
  };

  /**
   * The 16-bit copy autocast reads (amp), saved by the op that uses it. Only fp32 weights are copied:
   * ATen's `cached_cast` (aten/src/ATen/autocast_mode.cpp) casts an argument only when its type
   * differs from the target, so QLoRA's 16-bit adapters, norms and head pass through as they are.
   */
  const autocastWeight = (w: number): number => {
    const wt = g.get(w);
    if (!plan.autocast || wt.dtype !== "float32") return w;
    const [c] = g.op({ name: "autocast_to_copy", inputs: [w], outputs: [{ shape: wt.shape, dtype: act, category: "weight" }], grad: () => ({ temps: [] }) });
    return c;
  };

  /** `y = x W^T (+ b)`, plus a LoRA branch when the module is a target. */
  const linear = (name: string, x: number, inF: number, outF: number, module: string, options: { bias?: boolean } = {}): number => {
    // Sequence parallel: save the sequence shard and all-gather it again in backward (Korthikanti et al. 2022, section 4.2.2).
    const shard = gatheredFrom.get(x);
    const saveX = shard ?? x;
    const regather = shard === undefined ? [] : [{ shape: g.get(x).shape, dtype: act, op: "all_gather (backward)" }];
    const quantisable = true;
    const w0 = weight(`${g.scope}/${name}.weight`, [outF, inF], quantisable);
    const wParam = g.get(w0);
    const wUse = wParam.dtype === "nf4" ? w0 : autocastWeight(w0);
    const bias = options.bias ? g.param(`${g.scope}/${name}.bias`, [outF], weightDtype(full), { trainable: full }) : undefined;
    const xShape = g.get(x).shape;
    const outShape = [...xShape.slice(0, -1), outF];
    const dequant = wParam.dtype === "nf4" ? [{ shape: [outF, inF], dtype: half, op: "dequantize_4bit" }] : [];
    const inputs = bias === undefined ? [x, wUse] : [x, wUse, bias];
    const [y] = g.op({
      name: "linear",
      inputs,
      outputs: [{ shape: outShape, dtype: act }],
      save: (ins) => [...(g.get(ins[1]).requiresGrad ? [saveX] : []), ...(g.get(ins[0]).requiresGrad ? [ins[1]] : [])],
      temps: dequant,
      grad: (input) => ({ temps: input === x ? dequant : input === w0 || input === wUse ? regather : [] }),
    });
    if (setup.method === "full" || !targets.has(module)) return y;
    const r = setup.loraRank;
    // QLoRA adapters are 16-bit (Dettmers et al. 2023); LoRA adapters follow the policy.
    const a = g.param(`${g.scope}/${name}.lora_A`, [r, inF], qlora ? half : plan.weight, { trainable: true });
    const bw = g.param(`${g.scope}/${name}.lora_B`, [outF, r], g.get(a).dtype, { trainable: true });
    const [la] = g.op({ name: "lora_A", inputs: [x, autocastWeight(a)], outputs: [{ shape: [...xShape.slice(0, -1), r], dtype: act }], save: (ins) => [saveX, ins[1]] });
    const [lb] = g.op({ name: "lora_B", inputs: [la, autocastWeight(bw)], outputs: [{ shape: outShape, dtype: act }], save: (ins) => ins });
    const [scaled] = g.op({ name: "lora_scale", inputs: [lb], outputs: [{ shape: outShape, dtype: act }] });
    const [sum] = g.op({ name: "add", inputs: [y, scaled], outputs: [{ shape: outShape, dtype: act }] });
    return sum;
  };

  const norm = (name: string, x: number): number => {
    const shape = g.get(x).shape;
    const w = g.param(`${g.scope}/${name}.weight`, [h], frozenDtype === "nf4" ? half : weightDtype(full), { trainable: full });
    const ins = [x, w];
    if (model.norm === "layernorm") ins.push(g.param(`${g.scope}/${name}.bias`, [h], g.get(w).dtype, { trainable: full }));
    const stats = model.norm === "layernorm" ? 2 : 1;
    const outs = g.op({
      name: model.norm === "layernorm" ? "layer_norm" : "rms_norm",
      inputs: ins,
      outputs: [
        { shape, dtype: act },
        ...Array.from({ length: stats }, () => ({ shape: shape.slice(0, -1), dtype: "float32" as SimDtype, noGrad: true })),
      ],
      save: (i, o) => [i[0], ...o.slice(1)],
    });
    return outs[0];
  };

  const dropout = (x: number): number => {
    if (!model.dropout || !training) return x;
    const shape = g.get(x).shape;
    const [y] = g.op({
      name: "dropout",
      inputs: [x],
      outputs: [{ shape, dtype: act }, { shape, dtype: "uint8", noGrad: true }],
      save: (_i, o) => [o[1]],
    });
    return y;
  };

  /** All-gather along the sequence (sequence parallel): a full-sequence temporary. */
  const gatheredFrom = new Map<number, number>();
  const gatherSeq = (x: number): number => {
    if (!setup.sp || setup.tp === 1) return x;
    const shape = g.get(x).shape;
    const [y] = g.op({ name: "all_gather", inputs: [x], outputs: [{ shape: [shape[0], s, shape[2]], dtype: act }], grad: () => ({ temps: [] }) });
    gatheredFrom.set(y, x);
    return y;
  };
  /** Reduce-scatter along the sequence (sequence parallel), or an in-place all-reduce (tensor parallel). */
  const scatterSeq = (x: number): number => {
    if (!setup.sp || setup.tp === 1) return x;
    const shape = g.get(x).shape;
    const [y] = g.op({ name: "reduce_scatter", inputs: [x], outputs: [{ shape: [shape[0], sLocal, shape[2]], dtype: act }], grad: () => ({ temps: [] }) });
    return y;
  };

  const residualAdd = (a: number, c: number): number => {
    const [y] = g.op({ name: "add", inputs: [a, c], outputs: [{ shape: g.get(a).shape, dtype: act }] });
    return y;
  };

  // Embedding, or (a later pipeline stage) the activation received from the previous stage: saved
  // by the first layer, its gradient sent back by backward.
  let wte = -1;
  let x: number;
  if (hasEmbedding) {
    g.scope = "embed";
    wte = g.param("embed/wte", [vocabLocal, h], frozenDtype === "nf4" ? half : weightDtype(full), { trainable: full });
    [x] = g.op({ name: "embedding", inputs: [wte, tokens], outputs: [{ shape: [b, sLocal, h], dtype: act }], save: (i) => [i[1]] });
    // LoRA and QLoRA training make the (frozen) embedding output require grad, so that checkpointed
    // layers can backpropagate (PEFT `prepare_model_for_kbit_training`, transformers
    // `enable_input_require_grads`: a forward hook on the input embedding module, so before the
    // position add and the embedding dropout, which then save for backward as in full fine-tuning).
    if (training && setup.method !== "full") g.get(x).requiresGrad = true;
    if (model.positionEmbeddings > 0) {
      const wpe = g.param("embed/wpe", [model.positionEmbeddings, h], g.get(wte).dtype, { trainable: full });
      [x] = g.op({ name: "add_position", inputs: [x, wpe], outputs: [{ shape: [b, sLocal, h], dtype: act }] });
    }
    x = dropout(x);
  } else {
    x = g.tensor({ shape: [b, sLocal, h], dtype: act, op: "recv_forward", kind: "input", category: "activation", requiresGrad: training, scope: "pipeline/recv" });
  }

  for (let l = firstLayer; l < endLayer; l++) {
    g.startLayer(l);
    const layer = () => {
      g.scope = `layer${l}/attn`;
      const n1 = gatherSeq(norm("input_norm", x));
      let q = linear("q_proj", n1, h, qDim, "q", { bias: model.bias || model.qkvBias });
      let k = linear("k_proj", n1, h, kvDim, "k", { bias: model.bias || model.qkvBias });
      const v = linear("v_proj", n1, h, kvDim, "v", { bias: model.bias || model.qkvBias });
      if (model.positionEmbeddings === 0) {
        [q] = g.op({ name: "rotary", inputs: [q], outputs: [{ shape: g.get(q).shape, dtype: act }], grad: () => ({ temps: [] }) });
        [k] = g.op({ name: "rotary", inputs: [k], outputs: [{ shape: g.get(k).shape, dtype: act }], grad: () => ({ temps: [] }) });
      }
      const ctx = attention(g, dims, setup, act, model.dropout && training, q, k, v);
      const o = linear("o_proj", ctx, qDim, h, "o", { bias: model.bias });
      const x2 = residualAdd(x, dropout(scatterSeq(o)));
      g.scope = `layer${l}/mlp`;
      const n2 = gatherSeq(norm("post_attention_norm", x2));
      let hidden: number;
      if (model.activation === "gelu") {
        const u = linear("up_proj", n2, h, ffnLocal, "up", { bias: model.bias });
        [hidden] = g.op({ name: "gelu", inputs: [u], outputs: [{ shape: g.get(u).shape, dtype: act }], save: (i) => i });
      } else {
        const gate = linear("gate_proj", n2, h, ffnLocal, "gate");
        const up = linear("up_proj", n2, h, ffnLocal, "up");
        const [sg] = g.op({ name: "silu", inputs: [gate], outputs: [{ shape: g.get(gate).shape, dtype: act }], save: (i) => i });
        [hidden] = g.op({ name: "mul", inputs: [sg, up], outputs: [{ shape: g.get(up).shape, dtype: act }], save: (i) => i });
      }
      const down = linear("down_proj", hidden, ffnLocal, h, "down", { bias: model.bias });
      return residualAdd(x2, dropout(scatterSeq(down)));
    };
    x = setup.checkpointing === "full" ? g.recompute([x], layer) : layer();
  }

  g.startLayer(-1);
  g.layer = -1;
  // An earlier pipeline stage ends at its last layer: its output is sent, then freed (`kept` until then).
  if (!hasHead) return g.build(x, [x]);
  g.scope = "head";
  // A last pipeline stage without the embedding holds its own copy of a tied embedding (Megatron-LM).
  if (wte < 0 && model.tiedEmbeddings) wte = g.param("head/wte_copy", [vocabLocal, h], frozenDtype === "nf4" ? half : weightDtype(full), { trainable: full });
  const nf = gatherSeq(norm("final_norm", x));
  const headDtype = wte >= 0 ? g.get(wte).dtype : frozenDtype === "nf4" ? half : weightDtype(full);
  const head = model.tiedEmbeddings ? autocastWeight(wte) : autocastWeight(g.param("head/lm_head", [vocabLocal, h], headDtype, { trainable: full }));
  const [logits] = g.op({
    name: "lm_head",
    inputs: [nf, head],
    outputs: [{ shape: [b, s, vocabLocal], dtype: act }],
    save: (ins) => [...(g.get(ins[1]).requiresGrad ? [ins[0]] : []), ...(g.get(ins[0]).requiresGrad ? [ins[1]] : [])],
  });
  if (!training) return g.build(logits, [logits]);
  const logits32 = act === "float32" ? logits : g.op({ name: "to_float32", inputs: [logits], outputs: [{ shape: [b, s, vocabLocal], dtype: "float32" }], grad: () => ({ temps: [] }) })[0];
  const [logp] = g.op({ name: "log_softmax", inputs: [logits32], outputs: [{ shape: [b, s, vocabLocal], dtype: "float32" }], save: (_i, o) => o });
  const [loss] = g.op({ name: "nll_loss", inputs: [logp, labels], outputs: [{ shape: [], dtype: "float32" }], save: (i) => [i[1]] });
  return g.build(loss, [logits]);
}

/**
 * Attention core from q, k, v ([b, s, heads*d]) to the context the output projection reads ([b, s, a*d]).
 * - naive: scores [b, a, s, s], softmax output (saved), dropout mask and output (saved), GQA repeats k and v
 *   to every query head (`repeat_kv`, a copy) before the batched matmuls.
 * - chunked: the same per query block (plain autodiff saves every block).
 * - chunked-recompute: each block under a checkpoint that keeps q, k, v and recomputes in backward.
 * - selective checkpointing (Korthikanti et al. 2022, section 5): the naive or chunked core is recomputed
 *   in backward, keeping q, k, v.
 * - flash: one kernel saving q, k, v, its output O and an fp32 log-sum-exp [b, a, s] (Dao et al. 2022);
 *   O ([b, s, a, d], flash-attn's layout) is also the o-projection's input; dropout regenerates its
 *   mask from the RNG state (no mask kept); backward recomputes tiles.
 */
function attention(g: GraphBuilder, dims: RankDims, setup: TrainingSetup, act: SimDtype, dropout: boolean, q: number, k: number, v: number): number {
  const { b, s, aLocal, kvLocal, d } = dims;
  const ctxShape = [b, s, aLocal * d];
  // PyTorch SDPA runs a flash kernel (flash-attention or memory-efficient on CUDA, the CPU flash kernel on CPU).
  if (setup.attention === "flash" || setup.attention === "sdpa") {
    // flash-attn's layout is [b, s, a, d]: its output reshapes to the o-projection's input without a copy.
    const flash = () =>
      g.op({
        name: "flash_attention",
        inputs: [q, k, v],
        outputs: [{ shape: ctxShape, dtype: act }, { shape: [b, aLocal, s], dtype: "float32", noGrad: true }],
        save: (i, o) => [...i, ...o],
      })[0];
    // Selective checkpointing recomputes the attention core: here the kernel, so its log-sum-exp is not kept.
    return setup.checkpointing === "selective" ? g.recompute([q, k, v], flash) : flash();
  }
  let kr = k;
  let vr = v;
  if (kvLocal < aLocal) {
    [kr] = g.op({ name: "repeat_kv", inputs: [k], outputs: [{ shape: [b, aLocal, s, d], dtype: act }], grad: () => ({ temps: [] }) });
    [vr] = g.op({ name: "repeat_kv", inputs: [v], outputs: [{ shape: [b, aLocal, s, d], dtype: act }], grad: () => ({ temps: [] }) });
  }
  const block = setup.attention === "naive" ? s : Math.min(setup.blockSize, s);
  const parts: number[] = [];
  for (let start = 0; start < s; start += block) {
    const rows = Math.min(block, s - start);
    const core = () => {
      const [scores] = g.op({ name: "baddbmm_qk", inputs: [q, kr], outputs: [{ shape: [b, aLocal, rows, s], dtype: act }], save: (i) => i });
      const [probs] = g.op({ name: "softmax", inputs: [scores], outputs: [{ shape: [b, aLocal, rows, s], dtype: act }], save: (_i, o) => o });
      let p = probs;
      if (dropout) {
        [p] = g.op({
          name: "attn_dropout",
          inputs: [probs],
          outputs: [{ shape: [b, aLocal, rows, s], dtype: act }, { shape: [b, aLocal, rows, s], dtype: "uint8", noGrad: true }],
          save: (_i, o) => [o[1]],
        });
      }
      const [out] = g.op({ name: "bmm_pv", inputs: [p, vr], outputs: [{ shape: [b, aLocal, rows, d], dtype: act }], save: (i) => i });
      return out;
    };
    const recompute = setup.attention === "chunked-recompute" || setup.checkpointing === "selective";
    parts.push(recompute ? g.recompute([q, kr, vr], core) : core());
  }
  let ctxh = parts[0];
  if (parts.length > 1) {
    [ctxh] = g.op({ name: "cat", inputs: parts, outputs: [{ shape: [b, aLocal, s, d], dtype: act }], grad: () => ({ temps: [] }) });
  }
  const [ctx] = g.op({ name: "contiguous", inputs: [ctxh], outputs: [{ shape: ctxShape, dtype: act }], grad: () => ({ temps: [] }) });
  return ctx;
}

/** The part of the model one pipeline chunk runs: layers `layerStart` to `layerEnd - 1`, the embedding if `first`, the final norm, LM head and loss if `last`. */
export interface GraphPart {
  layerStart: number;
  layerEnd: number;
  first: boolean;
  last: boolean;
}
