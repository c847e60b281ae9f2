import type { ModelSpec } from "./modelSpec.js";
import { validateModel } from "./validateModel.js";

/** Model types whose MLP is gated (gate, up, down: SwiGLU, or GeGLU for Gemma). */
const GATED = new Set(["llama", "mistral", "mixtral", "qwen2", "qwen3", "gemma", "gemma2", "phi3", "olmo", "olmo2", "cohere", "stablelm", "granite", "deepseek"]);
/** Model types with a plain two-matrix GELU MLP, LayerNorm and biases (GPT-2 family). */
const GPT_LIKE = new Set(["gpt2", "gpt_bigcode", "gpt_neox", "gptj", "opt", "bloom", "falcon", "phi"]);
/** HF `tie_word_embeddings` defaults per model type where the config class overrides PretrainedConfig's true. */
const UNTIED_BY_DEFAULT = new Set(["llama", "mistral", "mixtral", "qwen2", "qwen3", "phi3", "gpt_neox", "olmo", "olmo2"]);

type Json = Record<string, unknown>;

function field(config: Json, names: string[], what: string, fallback?: number): number {
  for (const n of names) {
    const v = config[n];
    if (v === undefined || v === null) continue;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`modelFromHfConfig: "${n}" (${what}) must be a number, got ${JSON.stringify(v)}`);
    }
    return v;
  }
  if (fallback !== undefined) return fallback;
  throw new Error(`modelFromHfConfig: config.json has no ${names.map((n) => `"${n}"`).join(" or ")} (${what})`);
}

/**
 * A ModelSpec from a parsed Hugging Face `config.json` (pure: takes the parsed object, reads no files).
 * Reads `num_hidden_layers`/`n_layer`, `hidden_size`/`n_embd`, `num_attention_heads`/`n_head`,
 * `num_key_value_heads` (default: heads), `intermediate_size`/`n_inner` (GPT-2: 4 × hidden),
 * `vocab_size`, `max_position_embeddings`/`n_positions`, `head_dim`, `tie_word_embeddings`
 * (default per model type, as the HF config classes), `attention_bias`, `mlp_bias`, and dropout
 * probabilities. The spec is frozen. Throws an Error naming a missing or malformed field.
 *
 * @param name - the spec's name @defaultValue config `_name_or_path`, else `model_type`
 */
export function modelFromHfConfig(config: unknown, name?: string): ModelSpec {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new Error(`modelFromHfConfig: expected the parsed config.json object, got ${Array.isArray(config) ? "an array" : String(config)}`);
  }
  const c = config as Json;
  // Multimodal configs nest the language model (`text_config`).
  if (c.text_config && typeof c.text_config === "object" && c.hidden_size === undefined) {
    return modelFromHfConfig({ ...(c.text_config as Json), model_type: (c.text_config as Json).model_type ?? c.model_type }, name);
  }
  const modelType = typeof c.model_type === "string" ? c.model_type : "";
  const act = typeof c.hidden_act === "string" ? c.hidden_act : typeof c.activation_function === "string" ? c.activation_function : "";
  const gptLike = GPT_LIKE.has(modelType) || (c.n_embd !== undefined && c.hidden_size === undefined);
  const gated = GATED.has(modelType) || (!gptLike && /^(silu|swish|swiglu)$/.test(act));
  const hidden = field(c, ["hidden_size", "n_embd", "d_model"], "model width");
  const heads = field(c, ["num_attention_heads", "n_head"], "attention heads");
  const maxPositions = field(c, ["max_position_embeddings", "n_positions", "n_ctx"], "longest sequence");
  const dropoutKeys = ["attention_dropout", "attn_pdrop", "resid_pdrop", "embd_pdrop", "hidden_dropout", "hidden_dropout_prob", "dropout"];
  const dropout = dropoutKeys.some((k) => typeof c[k] === "number" && (c[k] as number) > 0);
  const tied = typeof c.tie_word_embeddings === "boolean" ? c.tie_word_embeddings : !UNTIED_BY_DEFAULT.has(modelType);
  const spec: ModelSpec = {
    name: name ?? (typeof c._name_or_path === "string" && c._name_or_path ? c._name_or_path : modelType || "config.json"),
    layers: field(c, ["num_hidden_layers", "n_layer", "num_layers"], "transformer layers"),
    hidden,
    heads,
    kvHeads: field(c, ["num_key_value_heads", "num_kv_heads"], "key/value heads", heads),
    ffn: field(c, ["intermediate_size", "n_inner", "ffn_dim"], "MLP width", gptLike ? 4 * hidden : undefined),
    vocab: field(c, ["vocab_size"], "vocabulary"),
    activation: gated ? "swiglu" : "gelu",
    norm: gptLike ? "layernorm" : "rmsnorm",
    tiedEmbeddings: tied,
    positionEmbeddings: gptLike && modelType !== "gpt_neox" && modelType !== "gptj" && modelType !== "falcon" ? maxPositions : 0,
    maxPositions,
    bias: gptLike || c.attention_bias === true || c.mlp_bias === true,
    dropout,
  };
  if (modelType === "qwen2" || c.qkv_bias === true) spec.qkvBias = true;
  if (typeof c.head_dim === "number" && c.head_dim !== hidden / heads) spec.headDim = c.head_dim;
  return Object.freeze(validateModel(spec));
}
