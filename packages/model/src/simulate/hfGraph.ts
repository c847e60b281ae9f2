import type { ModelSpec, TrainingSetup } from "../modelSpec.js";
import type { PrecisionPlan } from "./precisionPlan.js";
import { rankDims } from "./rankDims.js";
import { GraphBuilder, type CarriedBuffer, type StepGraph } from "./stepGraph.js";
import { torchOps, type TorchDevice } from "./torchOps.js";

/** Bytes of `torch.get_rng_state()` on the CPU (`at::CPUGeneratorImpl` state, aten/src/ATen/CPUGeneratorImpl.cpp). */
const CPU_RNG_STATE_BYTES = 5056;

/** How the simulated program is written: Hugging Face transformers' modeling code, and the loop around it. */
export interface HfProgram {
  device: TorchDevice;
  /** `keep-output`: `out = model(**batch)` each step, so the previous `out` lives into the next forward. */
  loop: "keep-output" | "drop-output";
  /** `use_cache` of the forward call (the config default, true, also in training; gradient checkpointing turns it off). */
  useCache: boolean;
}

/**
 * The step as Hugging Face transformers 5.x runs it on PyTorch 2.x, op for op, for Llama-family
 * (`models/llama/modeling_llama.py`) and GPT-2 (`models/gpt2/modeling_gpt2.py`) models, with LoRA as
 * PEFT 0.2x adds it (`peft/tuners/lora/layer.py`, `Linear.forward`). What differs from the fused
 * profile (`eagerGraph`), each from the source named:
 * - `LlamaRMSNorm` in plain PyTorch: `x.to(float32)`, `pow(2)` (saves x), `mean`, `rsqrt` (saves its
 *   result), `x * rsqrt` (saves both), `.to(input_dtype)`, `weight * x` (saves x when the weight trains);
 * - rotary embedding: `q * cos + rotate_half(q) * sin` (a `neg` and a `cat` per call); cos and sin are
 *   made once per forward;
 * - eager attention (`eager_attention_forward`): `repeat_kv` copies for GQA, `matmul`, `* scaling`,
 *   `+ causal_mask` (a [b, 1, s, s] additive mask in the model's type), `softmax(dtype=float32)` (a
 *   float32 copy of the scores first unless fp16 on CUDA: ATen `softmax`), `.to(query.dtype)`;
 *   the returned weights stay referenced until the decoder layer returns;
 * - SDPA (`sdpa_attention_forward`, no mask): `scaled_dot_product_attention(is_causal=True)`, GQA
 *   without a copy (`enable_gqa`), saving q, k, v, the output and a float32 log-sum-exp;
 * - `use_cache=True` (the config default, also in training): `DynamicLayer.update` concatenates k and v
 *   onto empty tensors (a copy each) and the cache keeps them as long as `out` lives;
 * - the loss: `logits.float()` (`ForCausalLMLoss`), `cross_entropy` over [b*s, vocab];
 * - PEFT: adapters in float32 on a 16-bit base (`autocast_adapter_dtype=True`), the input cast to it
 *   (`_cast_input_dtype`), `result + lora_B(lora_A(x)) * scaling` then `.to(result_dtype)`;
 * - gradient checkpointing (`gradient_checkpointing_enable`: non-reentrant `torch.utils.checkpoint`
 *   per decoder layer) keeps each layer's input and its keyword tensors (mask, cos, sin, position ids),
 *   turns the cache off, and makes the embedding output a leaf that requires grad
 *   (`enable_input_require_grads`), whose `.grad` stays while `out` lives;
 * - GPT-2: `Conv1D` (`addmm`), `gelu_new` written out in PyTorch ops, dropout after the embeddings,
 *   in attention, after the attention projection and after the MLP.
 */
export function hfGraph(model: ModelSpec, setup: TrainingSetup, plan: PrecisionPlan, training: boolean, program: HfProgram): StepGraph {
  const g = new GraphBuilder(training);
  const t = torchOps(g, program.device);
  const dims = rankDims(model, setup);
  const { b, s, h, d, qDim, kvDim, ffnLocal: f, vocabLocal: V, layers, aLocal: a, kvLocal: kv } = dims;
  const full = setup.method === "full";
  const act = plan.activation;
  const checkpointing = training && setup.checkpointing === "full";
  const useCache = program.useCache && !checkpointing;
  const gpt2 = model.positionEmbeddings > 0;
  const targets = new Set(setup.loraTargets);
  const dropoutP = training && model.dropout ? 0.1 : 0;

  const ids = g.tensor({ shape: [b, s], dtype: "int64", op: "input_ids", kind: "input", category: "input", requiresGrad: false, scope: "input" });
  const labels = g.tensor({ shape: [b, s], dtype: "int64", op: "labels", kind: "input", category: "input", requiresGrad: false, scope: "input" });
  const param = (name: string, shape: number[], trainable = full) => g.param(name, shape, plan.weight, { trainable });

  /** Autocast (amp): a matmul reads a 16-bit copy of an fp32 weight (ATen `cached_cast`). */
  const autocast = (w: number) => (plan.autocast && g.get(w).dtype === "float32" ? t.to(w, act, "autocast_to_copy") : w);

  /** `nn.Linear` / `Conv1D`, with a PEFT LoRA adapter when the module is a target. */
  const linear = (name: string, x: number, inF: number, outF: number, module: string, bias: boolean, op = "linear"): number => {
    const w = param(`${g.scope}/${name}.weight`, [outF, inF]);
    const bi = bias ? param(`${g.scope}/${name}.bias`, [outF]) : undefined;
    const xIn = plan.autocast ? t.to(x, act, "autocast_to_copy") : x;
    const y = t.linear(xIn, autocast(w), bi, op);
    if (full || !targets.has(module)) return y;
    // PEFT: adapters in float32 (`autocast_adapter_dtype=True`), so their gradients and Adam states are float32 too.
    const A = g.param(`${g.scope}/${name}.lora_A`, [setup.loraRank, inF], "float32", { trainable: true });
    const B = g.param(`${g.scope}/${name}.lora_B`, [outF, setup.loraRank], "float32", { trainable: true });
    g.params[g.get(A).param!].stateDtype = "float32";
    g.params[g.get(B).param!].stateDtype = "float32";
    const x32 = t.to(x, "float32");
    const la = t.linear(x32, A, undefined, "lora_A");
    const lb = t.linear(la, B, undefined, "lora_B");
    const scaled = t.mul(lb, null, "lora_scaling");
    const sum = t.add(y, scaled, "lora_add");
    const result = t.to(sum, g.get(y).dtype);
    g.hold([x32]);
    return result;
  };

  /** `LlamaRMSNorm.forward` as written (no fused kernel). */
  const rmsNorm = (name: string, x: number): number => {
    const w = param(`${g.scope}/${name}.weight`, [h]);
    const inDtype = g.get(x).dtype;
    const x32 = t.to(x, "float32");
    const sq = t.unary("pow", x32, "input", { backwardTemps: [{ shape: g.get(x32).shape, dtype: "float32", op: "pow_backward" }] });
    const mean = t.unary("mean", sq, "none", { shape: [...g.get(x32).shape.slice(0, -1), 1] });
    const eps = t.add(mean, null, "add_eps");
    const r = t.unary("rsqrt", eps, "output");
    const normed = t.mul(x32, r);
    return t.mul(w, t.to(normed, inDtype), "mul_weight");
  };

  /** `nn.LayerNorm`: `native_layer_norm` saves its input, weight, bias and float32 mean and rstd. */
  const layerNorm = (name: string, x: number): number => {
    const w = param(`${g.scope}/${name}.weight`, [h]);
    const bi = param(`${g.scope}/${name}.bias`, [h]);
    const shape = g.get(x).shape;
    const stats = shape.slice(0, -1).concat(1);
    const outs = g.op({
      name: "native_layer_norm",
      inputs: [x, w, bi],
      outputs: [{ shape, dtype: g.get(x).dtype }, { shape: stats, dtype: "float32", noGrad: true }, { shape: stats, dtype: "float32", noGrad: true }],
      save: (i, o) => [i[0], i[1], i[2], o[1], o[2]],
    });
    return outs[0];
  };
  const norm = gpt2 ? layerNorm : rmsNorm;

  /** `apply_rotary_pos_emb` for one of q, k: `(x * cos) + (rotate_half(x) * sin)`. */
  const rotary = (x: number, cos: number, sin: number): number => {
    const shape = g.get(x).shape;
    const xc = t.mul(x, cos, "mul_cos");
    const last = shape[shape.length - 1];
    const neg = t.unary("neg", x, "none", { shape: [...shape.slice(0, -1), last - Math.floor(last / 2)] });
    const rot = t.copy("cat", [neg, x], shape);
    const rs = t.mul(rot, sin, "mul_sin");
    return t.add(xc, rs);
  };

  /** The attention core from q [b, a, s, d], k and v [b, kv, s, d] to the o-projection's input [b, s, a*d]. */
  const attention = (q: number, k: number, v: number, mask: number | null, keepWeights: number[]): number => {
    if (setup.attention === "sdpa" && dropoutP > 0 && program.device === "cpu") {
      // With dropout, SDPA on the CPU takes the math path (`_scaled_dot_product_attention_math`,
      // aten/src/ATen/native/transformers/attention.cpp): q and k^T each scaled by sqrt(scale), a float
      // causal mask [s, s] added in place, softmax (saves its output; `isneginf` checks a bool copy),
      // dropout, and the product with v; the output [b, a, s, d] is made contiguous as [b, s, a, d].
      const qs = t.mul(q, null, "mul_sqrt_scale");
      const ks = t.mul(k, null, "mul_sqrt_scale");
      const causal = t.constant("causal_mask", [s, s], act);
      const scores = t.matmul(qs, ks, [b, a, s, s], "matmul_qk");
      const probs = t.unary("softmax", scores, "output", {});
      t.constant("isneginf", [b, a, s, s], "bool");
      const dropped = t.dropout(probs, dropoutP);
      const o = t.matmul(dropped, v, [b, a, s, d], "matmul_pv");
      g.hold([causal]);
      return t.copy("contiguous", [o], [b, s, a * d]);
    }
    if (setup.attention !== "naive") {
      // SDPA without a mask: PyTorch picks a flash kernel (CPU: `_scaled_dot_product_flash_attention_for_cpu`;
      // CUDA: flash-attention for 16-bit, memory-efficient for fp32), both saving the output and an fp32 log-sum-exp.
      const outs = g.op({
        name: "scaled_dot_product_attention",
        inputs: [q, k, v],
        // The output's memory is [b, s, a, d]: `transpose(1, 2).contiguous()` and the reshape to [b, s, a*d] are views.
        outputs: [{ shape: [b, s, a * d], dtype: act }, { shape: [b, a, s], dtype: "float32", noGrad: true }],
        save: (i, o) => [...i, ...o],
      });
      return outs[0];
    }
    // `repeat_kv` expands k and v to every query head and reshapes: a copy, except with one kv head,
    // where the reshape is a view (stride 0) that `matmul` must copy to batch it when b > 1.
    const groups = a / kv;
    const repeat = (x: number) => {
      if (groups === 1) return x;
      if (kv > 1) return t.copy("repeat_kv", [x], [b, a, s, d]);
      const view = t.view("repeat_kv (expand)", x, [b, a, s, d]);
      return b === 1 ? view : t.copy("matmul_reshape", [view], [b, a, s, d]);
    };
    const kr = repeat(k);
    const vr = repeat(v);
    // GPT-2's q (and k, v without the cache's copies) are strided views of `c_attn`'s output: `matmul`
    // reshapes them to [b*a, s, d], a view when b = 1 and a copy otherwise.
    const strided = (x: number, always: boolean) => (gpt2 && b > 1 && always ? t.copy("matmul_reshape", [x], [b, a, s, d]) : x);
    const qc = strided(q, true);
    const kc = strided(kr, !useCache);
    const scores = t.matmul(qc, kc, [b, a, s, s], "matmul_qk");
    const scaled = t.mul(scores, null, "mul_scaling");
    const masked = mask === null ? scaled : t.add(scaled, mask, "add_mask");
    let probs: number;
    if (gpt2) {
      probs = t.unary("softmax", masked, "output");
    } else {
      // `softmax(x, dtype=float32)`: ATen converts x first unless it is fp16 on CUDA (`_softmax(half_to_float=True)`).
      const noCopy = program.device === "cuda" && g.get(masked).dtype === "float16";
      const src = noCopy ? masked : t.to(masked, "float32");
      probs = noCopy
        ? t.unary("softmax", src, "output", { dtype: "float32" })
        : t.unary("softmax", src, "output");
      probs = t.to(probs, g.get(q).dtype);
      // `attn_weights = softmax(attn_weights, ...).to(...)`: the masked scores stay bound until the whole expression returns.
      g.hold([masked]);
    }
    probs = t.dropout(probs, dropoutP);
    const vc = strided(vr, !useCache);
    const o = t.matmul(probs, vc, [b, a, s, d], "matmul_pv");
    keepWeights.push(probs);
    const ctx = t.copy("contiguous", [o], [b, s, a * d]);
    g.hold([kr, vr]);
    return ctx;
  };

  // Embeddings.
  g.scope = "embed";
  const wte = param("embed/wte", [V, h]);
  let x = t.embedding(wte, ids, h);
  const embeddingLocals = [x];
  const carried: CarriedBuffer[] = [];
  const kept: number[] = [];
  const retainedGrads: number[] = [];
  // `gradient_checkpointing_enable` calls `enable_input_require_grads`: the embedding output becomes a
  // leaf that requires grad (under LoRA, where the embedding is frozen).
  if (training && !full && (checkpointing || setup.inputRequiresGrad === true)) {
    g.get(x).requiresGrad = true;
    retainedGrads.push(x);
    kept.push(x);
    carried.push({ shape: [b, s, h], dtype: g.get(x).dtype, op: "embedding (previous step)", scope: "embed", category: "activation" });
    carried.push({ shape: [b, s, h], dtype: g.get(x).dtype, op: "embedding .grad (previous step)", scope: "embed", category: "gradient" });
  }
  const pos = t.constant("arange", [1, s], "int64", "input");
  let cos = -1;
  let sin = -1;
  if (gpt2) {
    const wpe = param("embed/wpe", [model.positionEmbeddings, h]);
    const pe = t.embedding(wpe, pos, h);
    embeddingLocals.push(pe);
    x = t.add(x, pe, "add_position");
    x = t.dropout(x, dropoutP);
  } else {
    cos = t.constant("rotary_cos", [1, s, d], act);
    sin = t.constant("rotary_sin", [1, s, d], act);
  }
  // `create_causal_mask`: eager gets an additive [b, 1, s, s] mask in the model's type; SDPA needs none (`is_causal`).
  const mask = setup.attention === "naive" ? t.constant("causal_mask", [b, 1, s, s], act) : null;
  const layerInputs = [mask, cos, sin, pos].filter((m): m is number => m !== null && m >= 0);

  for (let l = 0; l < layers; l++) {
    g.startLayer(l);
    const layerInput = x;
    const layer = () => {
      g.scope = `layer${l}/attn`;
      const weights: number[] = [];
      const n1 = norm(gpt2 ? "ln_1" : "input_layernorm", x);
      let q: number;
      let k: number;
      let v: number;
      let held: number[];
      if (gpt2) {
        const qkv = linear("c_attn", n1, h, 3 * h, "qkv", true, "addmm");
        // `split` and `view(...).transpose(1, 2)` are views of the one [b, s, 3h] output, which they keep alive.
        q = t.view("split", qkv, [b, a, s, d]);
        k = t.view("split", qkv, [b, kv, s, d]);
        v = t.view("split", qkv, [b, kv, s, d]);
        if (useCache) {
          k = t.copy("cat (cache)", [qkv], [b, kv, s, d]);
          v = t.copy("cat (cache)", [qkv], [b, kv, s, d]);
          kept.push(k, v);
        }
        held = [qkv, k, v];
      } else {
        const q0 = linear("q_proj", n1, h, qDim, "q", model.bias || model.qkvBias === true);
        const k0 = linear("k_proj", n1, h, kvDim, "k", model.bias || model.qkvBias === true);
        v = linear("v_proj", n1, h, kvDim, "v", model.bias || model.qkvBias === true);
        q = rotary(q0, cos, sin);
        k = rotary(k0, cos, sin);
        g.hold([q0, k0]);
        if (useCache) {
          k = t.copy("cat (cache)", [k], [b, kv, s, d]);
          v = t.copy("cat (cache)", [v], [b, kv, s, d]);
          kept.push(k, v);
        }
        held = [q, k, v];
      }
      const ctx = attention(q, k, v, mask, weights);
      let o = linear(gpt2 ? "c_proj" : "o_proj", ctx, qDim, h, "o", model.bias, gpt2 ? "addmm" : "linear");
      // The attention module's locals (q, k, v, its input) live until it returns.
      g.hold([...held, n1]);
      o = t.dropout(o, dropoutP);
      // GPT2Block keeps `attn_output` in a local until it returns.
      if (gpt2) weights.push(o);
      const x2 = t.add(x, o, "residual_add");
      g.scope = `layer${l}/mlp`;
      const n2 = norm(gpt2 ? "ln_2" : "post_attention_layernorm", x2);
      let hidden: number;
      if (gpt2) {
        const up = linear("c_fc", n2, h, f, "up", true, "addmm");
        hidden = geluNew(up);
      } else {
        const gate = linear("gate_proj", n2, h, f, "gate", false);
        const sg = t.unary("silu", gate, "input");
        const up = linear("up_proj", n2, h, f, "up", false);
        hidden = t.mul(sg, up);
      }
      let down = linear(gpt2 ? "c_proj" : "down_proj", hidden, f, h, "down", model.bias, gpt2 ? "addmm" : "linear");
      g.hold([n2]);
      down = t.dropout(down, dropoutP);
      const y = t.add(x2, down, "residual_add");
      // `hidden_states, _ = self.self_attn(...)`: the attention weights live until the layer returns, and
      // the caller's `hidden_states` (this layer's input) until the layer returns.
      g.hold([...weights, layerInput]);
      return y;
    };
    // `torch.utils.checkpoint` stashes the CPU generator's state (`torch.get_rng_state()`, a 5,056-byte
    // ByteTensor: mt19937's 624 words and its bookkeeping) per checkpoint, in host memory: device memory only on the CPU.
    const rng = checkpointing && program.device === "cpu" ? [t.constant("rng_state", [CPU_RNG_STATE_BYTES], "uint8", "other")] : [];
    x = checkpointing ? g.recompute([x, ...layerInputs, ...rng], layer) : layer();
  }

  g.startLayer(-1);
  g.scope = "head";
  const nf = norm(gpt2 ? "ln_f" : "norm", x);
  // `LlamaModel.forward` / `GPT2Model.forward` keep `inputs_embeds`, the mask and the position tensors in locals until they return.
  g.hold([...layerInputs, ...embeddingLocals]);
  const head = model.tiedEmbeddings ? wte : param("head/lm_head", [V, h]);
  const logits = t.linear(plan.autocast ? t.to(nf, act, "autocast_to_copy") : nf, autocast(head), undefined, "lm_head");
  kept.push(logits);
  carried.push({ shape: [b, s, V], dtype: g.get(logits).dtype, op: "lm_head (previous step)", scope: "head", category: "activation" });
  if (useCache) {
    for (let l = 0; l < layers; l++) {
      for (const what of ["keys", "values"]) carried.push({ shape: [b, kv, s, d], dtype: act, op: `cache ${what} (previous step)`, scope: `layer${l}/attn`, category: "activation" });
    }
  }
  if (!training) {
    // A forward pass for inference passes no labels: no loss.
    const graph = g.build(logits, kept);
    const keep = program.loop === "keep-output";
    graph.loop = { carried: keep ? carried : [], keepOutputs: keep, retainedGrads: [] };
    return graph;
  }
  // `ForCausalLMLoss`: `logits.float()`, labels padded and shifted, `cross_entropy` over [b*s, vocab].
  const logits32 = t.to(logits, "float32");
  const padded = t.constant("pad", [b, s + 1], "int64");
  const target = t.copy("contiguous", [padded], [b, s], "int64");
  g.hold([padded]);
  const loss = t.crossEntropy(logits32, target);
  g.hold([logits32]);
  kept.push(loss);
  carried.push({ shape: [], dtype: "float32", op: "loss (previous step)", scope: "head", category: "activation" });
  const graph = g.build(loss, kept);
  const keep = program.loop === "keep-output";
  graph.loop = { carried: keep ? carried : [], keepOutputs: keep, retainedGrads: keep ? retainedGrads : [] };
  graph.optimizerPath = program.device === "cpu" ? "single-tensor" : "foreach";
  return graph;

  /** `NewGELUActivation`: `0.5 * x * (1.0 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))`, each step an op. */
  function geluNew(x: number): number {
    const halfX = t.mul(x, null, "mul_half");
    const cube = t.unary("pow", x, "input", { backwardTemps: [{ shape: g.get(x).shape, dtype: g.get(x).dtype, op: "pow_backward" }] });
    const c = t.mul(cube, null, "mul_coeff");
    const inner = t.add(x, c);
    const e = t.mul(inner, null, "mul_sqrt_2_pi");
    const th = t.unary("tanh", e, "output");
    const onePlus = t.add(th, null, "add_one");
    return t.mul(halfX, onePlus);
  }
}
