import type { ModelSpec } from "./modelSpec.js";

/** A preset: the spec, the published total it must reproduce, and where both come from. */
export interface Preset {
  spec: ModelSpec;
  /** Parameter total as published (model card or safetensors metadata), or the paper's rounded figure. */
  publishedParams: number;
  /** True when `publishedParams` is exact; false for a rounded figure (GPT-3's "175B"). */
  exact: boolean;
  /** The config the numbers are copied from. */
  source: string;
}

const hf = (repo: string) => `https://huggingface.co/${repo}/blob/main/config.json`;

function gpt2(name: string, layers: number, hidden: number, heads: number, repo: string, published: number): Preset {
  return {
    // GPT-2 configs: n_layer, n_embd, n_head, n_positions 1024, vocab 50257, n_inner = 4 n_embd,
    // gelu_new, LayerNorm, Conv1D layers with biases, tied wte/lm_head, dropout 0.1 (resid, embd, attn).
    spec: Object.freeze({
      name, layers, hidden, heads, kvHeads: heads, ffn: 4 * hidden, vocab: 50257, activation: "gelu", norm: "layernorm",
      tiedEmbeddings: true, positionEmbeddings: 1024, maxPositions: 1024, bias: true, dropout: true,
    }),
    publishedParams: published,
    exact: true,
    source: hf(repo),
  };
}

function llama(
  name: string, o: { layers: number; hidden: number; heads: number; kvHeads: number; ffn: number; vocab: number; tied: boolean; maxPositions: number; headDim?: number; qkvBias?: boolean },
  repo: string, published: number,
): Preset {
  const spec: ModelSpec = {
    name, layers: o.layers, hidden: o.hidden, heads: o.heads, kvHeads: o.kvHeads, ffn: o.ffn, vocab: o.vocab,
    activation: "swiglu", norm: "rmsnorm", tiedEmbeddings: o.tied, positionEmbeddings: 0, maxPositions: o.maxPositions,
    bias: false, dropout: false,
  };
  if (o.headDim !== undefined) spec.headDim = o.headDim;
  if (o.qkvBias) spec.qkvBias = true;
  return { spec: Object.freeze(spec), publishedParams: published, exact: true, source: hf(repo) };
}

/**
 * Model presets, copied from the published config.json of each model (linked in `source`).
 * Llama-family models (Llama, Mistral, Qwen2.5, Phi-3) are SwiGLU + RMSNorm + rotary, no biases
 * (Qwen2.5: q/k/v biases). Gemma's MLP is GeGLU: the same three matrices as SwiGLU, so it is
 * modelled as `swiglu`. Phi-3 fuses qkv and gate/up in its checkpoints; the shapes are the same.
 */
export const presets: Readonly<Record<string, Preset>> = Object.freeze({
  "gpt2-small": gpt2("gpt2-small", 12, 768, 12, "openai-community/gpt2", 124_439_808),
  "gpt2-medium": gpt2("gpt2-medium", 24, 1024, 16, "openai-community/gpt2-medium", 354_823_168),
  "gpt2-large": gpt2("gpt2-large", 36, 1280, 20, "openai-community/gpt2-large", 774_030_080),
  "gpt2-xl": gpt2("gpt2-xl", 48, 1600, 25, "openai-community/gpt2-xl", 1_557_611_200),
  "llama-2-7b": llama("llama-2-7b", { layers: 32, hidden: 4096, heads: 32, kvHeads: 32, ffn: 11008, vocab: 32000, tied: false, maxPositions: 4096 }, "meta-llama/Llama-2-7b-hf", 6_738_415_616),
  "llama-2-13b": llama("llama-2-13b", { layers: 40, hidden: 5120, heads: 40, kvHeads: 40, ffn: 13824, vocab: 32000, tied: false, maxPositions: 4096 }, "meta-llama/Llama-2-13b-hf", 13_015_864_320),
  "llama-2-70b": llama("llama-2-70b", { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffn: 28672, vocab: 32000, tied: false, maxPositions: 4096 }, "meta-llama/Llama-2-70b-hf", 68_976_648_192),
  "llama-3-8b": llama("llama-3-8b", { layers: 32, hidden: 4096, heads: 32, kvHeads: 8, ffn: 14336, vocab: 128256, tied: false, maxPositions: 8192 }, "meta-llama/Meta-Llama-3-8B", 8_030_261_248),
  "llama-3-70b": llama("llama-3-70b", { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffn: 28672, vocab: 128256, tied: false, maxPositions: 8192 }, "meta-llama/Meta-Llama-3-70B", 70_553_706_496),
  "llama-3.1-8b": llama("llama-3.1-8b", { layers: 32, hidden: 4096, heads: 32, kvHeads: 8, ffn: 14336, vocab: 128256, tied: false, maxPositions: 131072 }, "meta-llama/Llama-3.1-8B", 8_030_261_248),
  "llama-3.1-70b": llama("llama-3.1-70b", { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffn: 28672, vocab: 128256, tied: false, maxPositions: 131072 }, "meta-llama/Llama-3.1-70B", 70_553_706_496),
  "llama-3.2-1b": llama("llama-3.2-1b", { layers: 16, hidden: 2048, heads: 32, kvHeads: 8, ffn: 8192, vocab: 128256, tied: true, maxPositions: 131072, headDim: 64 }, "meta-llama/Llama-3.2-1B", 1_235_814_400),
  "llama-3.2-3b": llama("llama-3.2-3b", { layers: 28, hidden: 3072, heads: 24, kvHeads: 8, ffn: 8192, vocab: 128256, tied: true, maxPositions: 131072, headDim: 128 }, "meta-llama/Llama-3.2-3B", 3_212_749_824),
  "mistral-7b": llama("mistral-7b", { layers: 32, hidden: 4096, heads: 32, kvHeads: 8, ffn: 14336, vocab: 32000, tied: false, maxPositions: 32768 }, "mistralai/Mistral-7B-v0.1", 7_241_732_096),
  "gemma-2b": llama("gemma-2b", { layers: 18, hidden: 2048, heads: 8, kvHeads: 1, ffn: 16384, vocab: 256000, tied: true, maxPositions: 8192, headDim: 256 }, "google/gemma-2b", 2_506_172_416),
  "gemma-7b": llama("gemma-7b", { layers: 28, hidden: 3072, heads: 16, kvHeads: 16, ffn: 24576, vocab: 256000, tied: true, maxPositions: 8192, headDim: 256 }, "google/gemma-7b", 8_537_680_896),
  "qwen2.5-0.5b": llama("qwen2.5-0.5b", { layers: 24, hidden: 896, heads: 14, kvHeads: 2, ffn: 4864, vocab: 151936, tied: true, maxPositions: 32768, qkvBias: true }, "Qwen/Qwen2.5-0.5B", 494_032_768),
  "qwen2.5-1.5b": llama("qwen2.5-1.5b", { layers: 28, hidden: 1536, heads: 12, kvHeads: 2, ffn: 8960, vocab: 151936, tied: true, maxPositions: 131072, qkvBias: true }, "Qwen/Qwen2.5-1.5B", 1_543_714_304),
  "qwen2.5-7b": llama("qwen2.5-7b", { layers: 28, hidden: 3584, heads: 28, kvHeads: 4, ffn: 18944, vocab: 152064, tied: false, maxPositions: 131072, qkvBias: true }, "Qwen/Qwen2.5-7B", 7_615_616_512),
  "phi-3-mini": llama("phi-3-mini", { layers: 32, hidden: 3072, heads: 32, kvHeads: 32, ffn: 8192, vocab: 32064, tied: false, maxPositions: 4096 }, "microsoft/Phi-3-mini-4k-instruct", 3_821_079_552),
  // Brown et al. 2020, Table 2.1 (GPT-3 175B: 96 layers, d_model 12288, 96 heads of 128, context 2048),
  // GPT-2's 50257-token BPE vocabulary and tied embeddings; dropout with 1-byte masks as in
  // Korthikanti et al. 2022, who use this model for their activation figures.
  "gpt3-175b": {
    spec: Object.freeze({
      name: "gpt3-175b", layers: 96, hidden: 12288, heads: 96, kvHeads: 96, ffn: 4 * 12288, vocab: 50257, activation: "gelu",
      norm: "layernorm", tiedEmbeddings: true, positionEmbeddings: 2048, maxPositions: 2048, bias: true, dropout: true,
    }),
    publishedParams: 175e9,
    exact: false,
    source: "Brown et al. 2020, 'Language Models are Few-Shot Learners', Table 2.1",
  },
});

/** Other spellings people type. */
export const presetAliases: Readonly<Record<string, string>> = Object.freeze({
  gpt2: "gpt2-small",
  "gpt-2": "gpt2-small",
  "gpt3": "gpt3-175b",
  "gpt-3": "gpt3-175b",
  "gpt-3-175b": "gpt3-175b",
  "mistral-7b-v0.1": "mistral-7b",
  "meta-llama-3-8b": "llama-3-8b",
  "meta-llama-3-70b": "llama-3-70b",
  "phi-3-mini-4k": "phi-3-mini",
});
