import type { ModelSpec } from "./modelSpec.js";

/** The linear modules a LoRA adapter can target. */
export const LINEAR_MODULES = ["q", "k", "v", "o", "gate", "up", "down"] as const;
export type LinearModule = (typeof LINEAR_MODULES)[number];

/**
 * How tensor parallelism (Megatron-LM, Shoeybi et al. 2019) splits a tensor: `column` and `row`
 * matrices and column biases are split t ways, `vocab` rows split t ways (VocabParallelEmbedding),
 * `replicated` tensors (norms, row-parallel biases, position embeddings) live whole on every rank.
 */
export type TpSplit = "column" | "row" | "vocab" | "replicated";

/** One parameter tensor of a model. */
export interface ModelTensor {
  name: string;
  /** The module it belongs to: a linear module, or `norm`, `embedding`, `position`, `finalNorm`, `lmHead`. */
  module: LinearModule | "norm" | "embedding" | "position" | "finalNorm" | "lmHead";
  kind: "weight" | "bias";
  /** [in, out] for linear weights; [n] for vectors; [rows, cols] for embeddings. */
  shape: number[];
  elements: number;
  /** True for tensors repeated in every transformer layer. */
  perLayer: boolean;
  tp: TpSplit;
}

/** Head dimension: `spec.headDim`, else hidden / heads. */
export function headDim(spec: ModelSpec): number {
  return spec.headDim ?? spec.hidden / spec.heads;
}

function tensor(name: string, module: ModelTensor["module"], kind: ModelTensor["kind"], shape: number[], perLayer: boolean, tp: TpSplit): ModelTensor {
  return { name, module, kind, shape, elements: shape.reduce((a, b) => a * b, 1), perLayer, tp };
}

const cache = new WeakMap<ModelSpec, ModelTensor[]>();

/**
 * Every parameter tensor of a decoder-only transformer, in the layout of the Hugging Face
 * implementations (GPT-2 `Conv1D`s split into q/k/v; Llama-style separate projections).
 * Per-layer tensors are listed once with `perLayer: true`. Cached per frozen spec object.
 */
export function modelTensors(spec: ModelSpec): ModelTensor[] {
  const hit = cache.get(spec);
  if (hit) return hit;
  const { hidden: h, heads: a, kvHeads: kv, ffn: f, vocab: v } = spec;
  const d = headDim(spec);
  const qkvBias = spec.bias || spec.qkvBias === true;
  const out: ModelTensor[] = [];
  out.push(tensor("embed_tokens", "embedding", "weight", [v, h], false, "vocab"));
  if (spec.positionEmbeddings > 0) out.push(tensor("embed_positions", "position", "weight", [spec.positionEmbeddings, h], false, "replicated"));
  const norm = (name: string, module: "norm" | "finalNorm", perLayer: boolean) => {
    out.push(tensor(`${name}.weight`, module, "weight", [h], perLayer, "replicated"));
    if (spec.norm === "layernorm") out.push(tensor(`${name}.bias`, module, "bias", [h], perLayer, "replicated"));
  };
  norm("input_norm", "norm", true);
  const linear = (m: LinearModule, inF: number, outF: number, tp: "column" | "row", bias: boolean) => {
    out.push(tensor(`${m}_proj.weight`, m, "weight", [inF, outF], true, tp));
    if (bias) out.push(tensor(`${m}_proj.bias`, m, "bias", [outF], true, tp === "column" ? "column" : "replicated"));
  };
  linear("q", h, a * d, "column", qkvBias);
  linear("k", h, kv * d, "column", qkvBias);
  linear("v", h, kv * d, "column", qkvBias);
  linear("o", a * d, h, "row", spec.bias);
  norm("post_attention_norm", "norm", true);
  if (spec.activation === "swiglu") linear("gate", h, f, "column", spec.bias);
  linear("up", h, f, "column", spec.bias);
  linear("down", f, h, "row", spec.bias);
  norm("final_norm", "finalNorm", false);
  if (!spec.tiedEmbeddings) out.push(tensor("lm_head", "lmHead", "weight", [h, v], false, "vocab"));
  if (Object.isFrozen(spec)) cache.set(spec, out);
  return out;
}
