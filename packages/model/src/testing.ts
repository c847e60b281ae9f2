/**
 * fast-check arbitraries for users' own property tests (`@hbmscope/model/testing`).
 * Needs `fast-check` (an optional peer dependency).
 */
import fc from "fast-check";
import type { ModelSpec, TrainingSetup } from "./modelSpec.js";
import { setupChoices } from "./setupChoices.js";
import { headDim } from "./modelTensors.js";

export interface ModelSpecArbitraryOptions {
  /** Most transformer layers. @defaultValue 8 */
  maxLayers?: number;
  /** Most attention heads. @defaultValue 16 */
  maxHeads?: number;
  /** Largest head dimension. @defaultValue 128 */
  maxHeadDim?: number;
  /** Largest vocabulary. @defaultValue 65536 */
  maxVocab?: number;
  /** Allow dropout (GPT-style models). @defaultValue true */
  dropout?: boolean;
}

const divisors = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);

/** Valid ModelSpecs: heads × headDim = hidden, kvHeads divides heads, any activation, norm, tying, biases. */
export function modelSpecArbitrary(options: ModelSpecArbitraryOptions = {}): fc.Arbitrary<ModelSpec> {
  const maxHeads = options.maxHeads ?? 16;
  return fc
    .record({
      layers: fc.integer({ min: 1, max: options.maxLayers ?? 8 }),
      heads: fc.integer({ min: 1, max: maxHeads }),
      headDim: fc.integer({ min: 1, max: options.maxHeadDim ?? 128 }),
      kvPick: fc.nat(),
      ffnRatio: fc.double({ min: 1, max: 4, noNaN: true }),
      vocab: fc.integer({ min: 2, max: options.maxVocab ?? 65536 }),
      gpt: fc.boolean(),
      tied: fc.boolean(),
      qkvBias: fc.boolean(),
      dropout: options.dropout === false ? fc.constant(false) : fc.boolean(),
      maxPositions: fc.integer({ min: 128, max: 8192 }),
    })
    .map((r): ModelSpec => {
      const kv = divisors(r.heads);
      const hidden = r.heads * r.headDim;
      const spec: ModelSpec = {
        name: r.gpt ? "arbitrary-gpt" : "arbitrary-llama",
        layers: r.layers,
        hidden,
        heads: r.heads,
        kvHeads: kv[r.kvPick % kv.length],
        ffn: Math.max(1, Math.round(hidden * r.ffnRatio)),
        vocab: r.vocab,
        activation: r.gpt ? "gelu" : "swiglu",
        norm: r.gpt ? "layernorm" : "rmsnorm",
        tiedEmbeddings: r.tied,
        positionEmbeddings: r.gpt ? r.maxPositions : 0,
        maxPositions: r.maxPositions,
        bias: r.gpt,
        dropout: r.dropout,
      };
      if (!r.gpt && r.qkvBias) spec.qkvBias = true;
      return spec;
    });
}

export interface SetupArbitraryOptions {
  /** Largest micro-batch. @defaultValue 8 */
  maxBatch?: number;
  /** Longest sequence (also capped by the model's learned positions). @defaultValue 4096 */
  maxSeq?: number;
  /** Draw dp, ZeRO, tp, sp and pp too (else a single GPU). @defaultValue true */
  parallel?: boolean;
  /** Largest parallel degree of each kind. @defaultValue 8 */
  maxDegree?: number;
}

/** Valid TrainingSetups for `model`: tp divides heads (and kv heads, or is divided by them), pp <= layers, LoRA targets the model has, LoRA ranks up to 64 and at most every linear layer's smaller dimension. */
export function setupArbitrary(model: ModelSpec, options: SetupArbitraryOptions = {}): fc.Arbitrary<TrainingSetup> {
  const maxSeq = Math.min(options.maxSeq ?? 4096, model.positionEmbeddings > 0 ? model.positionEmbeddings : Infinity);
  const maxDegree = options.maxDegree ?? 8;
  const tps = divisors(model.heads).filter((t) => t <= maxDegree && (model.kvHeads % t === 0 || t % model.kvHeads === 0));
  const parallel = options.parallel ?? true;
  const targets = setupChoices.loraTargets.filter((t) => t !== "gate" || model.activation === "swiglu");
  return fc.record({
    batch: fc.integer({ min: 1, max: options.maxBatch ?? 8 }),
    seq: fc.integer({ min: 1, max: maxSeq }),
    precision: fc.constantFrom(...setupChoices.precision),
    dtype: fc.constantFrom(...setupChoices.dtype),
    method: fc.constantFrom(...setupChoices.method),
    // at most the smaller dimension of every linear layer (validateSetup refuses more)
    loraRank: fc.integer({ min: 1, max: Math.min(64, model.hidden, model.kvHeads * headDim(model), model.ffn) }),
    loraTargets: fc.subarray(targets, { minLength: 1 }),
    optimizer: fc.constantFrom(...setupChoices.optimizer),
    checkpointing: fc.constantFrom(...setupChoices.checkpointing),
    attention: fc.constantFrom(...setupChoices.attention),
    blockSize: fc.constantFrom(64, 128, 256),
    dp: parallel ? fc.integer({ min: 1, max: maxDegree }) : fc.constant(1),
    zero: parallel ? fc.constantFrom(...setupChoices.zero) : fc.constant(0 as const),
    tp: parallel ? fc.constantFrom(...tps) : fc.constant(1),
    sp: parallel ? fc.boolean() : fc.constant(false),
    pp: parallel ? fc.integer({ min: 1, max: Math.min(maxDegree, model.layers) }) : fc.constant(1),
  });
}

/** A model and a valid setup for it, drawn together. */
export function modelAndSetupArbitrary(
  options: { model?: ModelSpecArbitraryOptions; setup?: SetupArbitraryOptions } = {},
): fc.Arbitrary<{ model: ModelSpec; setup: TrainingSetup }> {
  return modelSpecArbitrary(options.model).chain((model) => setupArbitrary(model, options.setup).map((setup) => ({ model, setup })));
}
