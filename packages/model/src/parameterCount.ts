import type { ModelSpec } from "./modelSpec.js";
import { modelTensors } from "./modelTensors.js";
import { validateModel } from "./validateModel.js";

/** Parameter counts of a model, split the way memory cares about. Element counts, not bytes. */
export interface ParameterCount {
  total: number;
  /** Token embedding (shared with the LM head when tied). */
  embedding: number;
  /** Learned position embeddings (0 for rotary models). */
  positionEmbedding: number;
  /** Untied LM head (0 when tied). */
  lmHead: number;
  finalNorm: number;
  /** One transformer layer. */
  perLayer: { attention: number; mlp: number; norms: number; total: number };
  /** All transformer layers. */
  layers: number;
  /** total - embedding - positionEmbedding - lmHead. */
  nonEmbedding: number;
}

/**
 * Exact parameter count: GQA (k, v have kvHeads × headDim outputs), SwiGLU (three MLP matrices),
 * biases (all linears, or q/k/v only), tied or untied embeddings, learned position embeddings,
 * LayerNorm (weight + bias) or RMSNorm (weight). Throws on an invalid spec.
 */
const cache = new WeakMap<ModelSpec, ParameterCount>();

export function parameterCount(spec: ModelSpec): ParameterCount {
  const hit = cache.get(spec);
  if (hit) return hit;
  validateModel(spec);
  const r: ParameterCount = {
    total: 0, embedding: 0, positionEmbedding: 0, lmHead: 0, finalNorm: 0,
    perLayer: { attention: 0, mlp: 0, norms: 0, total: 0 }, layers: 0, nonEmbedding: 0,
  };
  for (const t of modelTensors(spec)) {
    switch (t.module) {
      case "embedding": r.embedding += t.elements; break;
      case "position": r.positionEmbedding += t.elements; break;
      case "lmHead": r.lmHead += t.elements; break;
      case "finalNorm": r.finalNorm += t.elements; break;
      case "norm": r.perLayer.norms += t.elements; break;
      case "q": case "k": case "v": case "o": r.perLayer.attention += t.elements; break;
      default: r.perLayer.mlp += t.elements;
    }
  }
  r.perLayer.total = r.perLayer.attention + r.perLayer.mlp + r.perLayer.norms;
  r.layers = r.perLayer.total * spec.layers;
  r.total = r.embedding + r.positionEmbedding + r.lmHead + r.finalNorm + r.layers;
  r.nonEmbedding = r.total - r.embedding - r.positionEmbedding - r.lmHead;
  // Cache only frozen specs: a mutable spec could change after counting.
  Object.freeze(r.perLayer);
  if (Object.isFrozen(spec)) cache.set(spec, Object.freeze(r));
  return Object.freeze(r);
}
