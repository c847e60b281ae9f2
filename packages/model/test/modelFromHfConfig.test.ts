import { describe, expect, it } from "vitest";
import { modelFromHfConfig, parameterCount } from "../src/index.js";

// Field values as published in the models' config.json files.
const llama2 = {
  _name_or_path: "meta-llama/Llama-2-7b-hf", architectures: ["LlamaForCausalLM"], hidden_act: "silu", hidden_size: 4096,
  intermediate_size: 11008, max_position_embeddings: 4096, model_type: "llama", num_attention_heads: 32, num_hidden_layers: 32,
  num_key_value_heads: 32, rms_norm_eps: 1e-5, tie_word_embeddings: false, vocab_size: 32000,
};
const gpt2 = {
  activation_function: "gelu_new", attn_pdrop: 0.1, embd_pdrop: 0.1, model_type: "gpt2", n_ctx: 1024, n_embd: 768, n_head: 12,
  n_layer: 12, n_positions: 1024, resid_pdrop: 0.1, vocab_size: 50257,
};
const qwen = {
  hidden_act: "silu", hidden_size: 896, intermediate_size: 4864, max_position_embeddings: 32768, model_type: "qwen2",
  num_attention_heads: 14, num_hidden_layers: 24, num_key_value_heads: 2, tie_word_embeddings: true, vocab_size: 151936,
};

describe("modelFromHfConfig", () => {
  it("modelFromHfConfig() reads a Llama-2 config.json into the preset's exact count", () => {
    const spec = modelFromHfConfig(llama2);
    expect(spec).toMatchObject({ layers: 32, hidden: 4096, heads: 32, kvHeads: 32, activation: "swiglu", norm: "rmsnorm", tiedEmbeddings: false, dropout: false });
    expect(parameterCount(spec).total).toBe(6_738_415_616);
  });

  it("modelFromHfConfig() reads GPT-2 field names, biases, learned positions and dropout", () => {
    const spec = modelFromHfConfig(gpt2);
    expect(spec).toMatchObject({ ffn: 3072, bias: true, positionEmbeddings: 1024, tiedEmbeddings: true, dropout: true, norm: "layernorm", activation: "gelu" });
    expect(parameterCount(spec).total).toBe(124_439_808);
  });

  it("modelFromHfConfig() gives Qwen2 its q/k/v biases", () => {
    expect(parameterCount(modelFromHfConfig(qwen)).total).toBe(494_032_768);
  });

  it("modelFromHfConfig() names a missing field", () => {
    const { hidden_size: _, ...noHidden } = llama2;
    expect(() => modelFromHfConfig(noHidden)).toThrow(/config.json has no "hidden_size" or "n_embd" or "d_model" \(model width\)/);
    const { intermediate_size: __, ...noFfn } = llama2;
    expect(() => modelFromHfConfig(noFfn)).toThrow(/"intermediate_size"/);
  });

  it("modelFromHfConfig() rejects a non-number field and a non-object", () => {
    expect(() => modelFromHfConfig({ ...llama2, vocab_size: "32000" })).toThrow(/"vocab_size" \(vocabulary\) must be a number, got "32000"/);
    expect(() => modelFromHfConfig([1])).toThrow(/expected the parsed config.json object, got an array/);
  });

  it("modelFromHfConfig() rejects heads that do not divide hidden", () => {
    expect(() => modelFromHfConfig({ ...llama2, num_attention_heads: 30, num_key_value_heads: 30 })).toThrow(/heads \(30\) must divide hidden \(4096\)/);
  });
});
