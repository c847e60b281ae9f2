import type { ModelSpec, TrainingSetup } from "./modelSpec.js";
import { layerActivations } from "./activations.js";
import { modelStates } from "./modelStates.js";
import { overhead, type Overhead, type OverheadDefaults } from "./overhead.js";
import { layersPerStage, parameterGroups, type Stage } from "./parameterGroups.js";
import { modelTensors } from "./modelTensors.js";
import { parameterCount } from "./parameterCount.js";
import { precisionBytes } from "./precisionBytes.js";
import { term, type Term } from "./term.js";
import { validateModel } from "./validateModel.js";
import { validateSetup } from "./validateSetup.js";

/** The phases of a training step where a peak can fall (the names of core's trace phases). */
export type PeakPhase = "forward" | "backward" | "optimizer";

/** Live bytes at the high point of one phase, split so the parts sum to `bytes`. */
export interface PhaseBytes {
  phase: PeakPhase;
  /** What the point is: "end of forward", "start of backward", ... */
  at: string;
  bytes: number;
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  temporary: number;
}

export interface ActivationEstimate extends Term {
  attention: Term;
  mlp: Term;
  norms: Term;
  /** Layer inputs kept by full checkpointing. */
  checkpoints: Term;
  /** Embedding-side activations (input ids, embedding dropout mask). */
  embeddings: Term;
  /** Final norm, LM head input and fp32 log-probabilities of the loss (often the largest single tensor). */
  logits: Term;
  /** One layer, one microbatch. */
  perLayer: Term;
  /** Layers on this GPU. */
  layers: number;
  /** Microbatches whose activations are held at once (pipeline 1F1B: pp on the first stage). */
  microbatches: number;
}

/** What `estimate` returns. All sizes are bytes, per GPU. */
export interface Estimate {
  model: string;
  setup: TrainingSetup;
  /** Parameters of the whole model (elements). */
  params: number;
  /** Trainable parameters of the whole model (elements): all for full fine-tuning, the adapters for LoRA. */
  trainableParams: number;
  /** Parameters this GPU holds before ZeRO sharding (elements). */
  paramsPerGpu: number;
  /** Pipeline stage the estimate is for (the heavier of first and last when pp > 1). */
  stage: Stage;
  weights: Term;
  gradients: Term;
  optimizer: Term & { master: number; states: number };
  activations: ActivationEstimate;
  /** Transient buffers at each phase's high point (logits upcast, recomputation, gathers, optimizer foreach buffers). */
  temporaries: Record<PeakPhase, Term>;
  overhead: Overhead;
  phases: PhaseBytes[];
  peakPhase: PeakPhase;
  /** The phase with the most live bytes; its parts sum to `peak.bytes`. */
  peak: PhaseBytes;
  /** peak.bytes + overhead.bytes. */
  total: number;
  notes: string[];
}

export interface EstimateOptions {
  /** Change the named overhead defaults (bytes). @defaultValue overheadDefaults */
  overhead?: Partial<OverheadDefaults>;
  /**
   * Gradients stay allocated through the forward pass (gradient accumulation, or
   * `zero_grad(set_to_none=False)`). PyTorch >= 2.0 sets them to None by default.
   * @defaultValue false
   */
  gradientsInForward?: boolean;
  /**
   * The optimizer step is one fused kernel with no temporaries (DeepSpeed/apex FusedAdam); else
   * PyTorch's foreach AdamW allocates one state-sized buffer.
   * @defaultValue true for the `mixed` and `mixed-fp32-grads` policies, false otherwise
   */
  fusedOptimizer?: boolean;
}

const LOGITS_SOURCE = "Korthikanti et al. 2022 sec. 4.3 (cross-entropy keeps 4sbv fp32); transformers upcasts logits to fp32 for the loss";

function stageEstimate(model: ModelSpec, setup: TrainingSetup, stage: Stage, options: EstimateOptions) {
  const A = precisionBytes(setup.precision).activation;
  const { seq: s, batch: b, tp: t } = setup;
  const sb = s * b;
  const rep = setup.sp ? t : 1;
  const h = model.hidden;
  const v = Math.ceil(model.vocab / t);
  const first = stage !== "last";
  const last = stage !== "first";
  const groups = parameterGroups(model, setup, stage);
  const states = modelStates(groups, setup, options);
  const layer = layerActivations(model, setup);
  const layers = layersPerStage(model, setup.pp);
  const micro = stage === "first" ? (setup.microbatchesInFlight ?? setup.pp) : 1;

  const embBytes = first ? 8 * sb + (model.dropout ? (sb * h) / rep : 0) : 0;
  const logitsBytes = last ? (2 * A * sb * h) / rep + 4 * sb * v + 8 * sb : 0;
  const perLayerAll = layer.total.bytes * layers * micro;
  const scale = layers * micro;
  const acts = perLayerAll + embBytes * micro + logitsBytes;
  const activations: ActivationEstimate = {
    bytes: acts,
    formula: "layers on stage × microbatches in flight × perLayer + embeddings + logits",
    source: "Korthikanti et al. 2022 sec. 4 (per layer, pipeline 1F1B in-flight microbatches sec. 4.2.3)",
    attention: term(layer.attention.bytes * scale, layer.attention.formula, layer.attention.source),
    mlp: term(layer.mlp.bytes * scale, layer.mlp.formula, layer.mlp.source),
    norms: term(layer.norms.bytes * scale, layer.norms.formula, layer.norms.source),
    checkpoints: term(layer.checkpoints.bytes * scale, layer.checkpoints.formula, layer.checkpoints.source),
    embeddings: term(embBytes * micro, first ? (model.dropout ? "8·sb (int64 ids) + sbh dropout mask" : "8·sb (int64 ids)") : "0 (not on this stage)", "Korthikanti et al. 2022 sec. 4.3"),
    logits: term(logitsBytes, last ? "2·A·sbh (final norm in, LM head in) + 4·sbv/t (fp32 log-probs) + 8·sb (labels)" : "0 (not on this stage)", LOGITS_SOURCE),
    perLayer: layer.total,
    layers,
    microbatches: micro,
  };

  // Transients.
  const gatheredLayer = setup.zero === 3 && setup.dp > 1 ? perLayerParams(groups, layers) : 0;
  const pb = precisionBytes(setup.precision);
  const zero3 = gatheredLayer * 2 * (setup.method === "full" ? pb.weight : 2);
  const zero3Grads = setup.zero === 3 && setup.dp > 1 && setup.method === "full" ? gatheredLayer * pb.gradient : 0;
  const dequant = setup.method === "qlora" ? 2 * largestQuantized(groups) : 0;
  const fwdLogits = last ? A * sb * v + (A < 4 ? 4 * sb * v : 0) : 0;
  const dlogits = last ? 4 * sb * v : 0;
  // PyTorch autocast (amp) keeps 16-bit copies of the fp32 weights its matmuls use: in its cast cache
  // until forward ends, and saved for backward (torch.autocast, cache_enabled; autocast_mode.cpp
  // cached_cast). Full checkpointing saves none: backward re-casts one layer at a time.
  const cast = setup.precision === "amp" ? 2 * castElements(groups, model, stage) : 0;
  const layerCast = setup.precision === "amp" ? 2 * perLayerLinear(groups, layers) : 0;
  const castInBackward = setup.checkpointing === "full" ? layerCast : cast;
  const layerWork = layer.recomputed + layer.backwardTemporary + zero3 + zero3Grads + dequant;
  const temporaries: Record<PeakPhase, Term> = {
    forward: term(fwdLogits + zero3 + dequant + cast, `logits A·sbv/t${A < 4 ? " + fp32 upcast 4·sbv/t" : ""}${zero3 ? " + ZeRO-3 gathered layer ×2 (prefetch)" : ""}${dequant ? " + dequantized 16-bit weight" : ""}${cast ? " + autocast 16-bit weight copies 2 B × linear weights" : ""}`, `${LOGITS_SOURCE}; DeepSpeed ZeRO-3 prefetch; bitsandbytes dequantizes NF4 per matmul; torch.autocast weight cast cache`),
    backward: term(layerWork, `${layer.recomputed ? "recomputed part of one layer + " : ""}one layer's gradient buffers${zero3 ? " + ZeRO-3 gathered params and unreduced grads" : ""}${dequant ? " + dequantized weight" : ""} ${cast ? " + autocast weight copies saved for backward" : ""} (dlogits 4·sbv/t at the start of backward)`, "Korthikanti et al. 2022 sec. 5 (recomputation); one layer's gradient buffers are an approximation"),
    optimizer: states.optimizerTemporary,
  };

  const W = states.weights.bytes;
  const G = states.gradients.bytes;
  const O = states.optimizer.bytes;
  const gradsForward = options.gradientsInForward ? G : 0;
  const forward: PhaseBytes = { phase: "forward", at: "end of forward", weights: W, gradients: gradsForward, optimizer: O, activations: acts, temporary: temporaries.forward.bytes, bytes: 0 };
  // Backward frees each layer's activations as it goes and allocates gradients: live bytes are linear
  // in between, so the high point is at one of three points: the loss gradient (start), the last
  // layer's backward (all activations + its recomputation), the first layer's (all gradients).
  const embActs = embBytes * micro;
  const candidates: PhaseBytes[] = [
    { phase: "backward", at: "start of backward (loss gradient)", weights: W, gradients: gradsForward, optimizer: O, activations: acts, temporary: dlogits + castInBackward, bytes: 0 },
    { phase: "backward", at: "backward of the last layer", weights: W, gradients: gradsForward, optimizer: O, activations: acts, temporary: layerWork + castInBackward, bytes: 0 },
    { phase: "backward", at: "backward of the first layer", weights: W, gradients: G, optimizer: O, activations: embActs + layer.total.bytes, temporary: layerWork + layerCast, bytes: 0 },
  ];
  let backward = candidates[0];
  for (const c of candidates) {
    c.bytes = c.weights + c.gradients + c.optimizer + c.activations + c.temporary;
    if (c.bytes > backward.bytes) backward = c;
  }
  const optimizer: PhaseBytes = { phase: "optimizer", at: "optimizer step", weights: W, gradients: G, optimizer: O, activations: 0, temporary: temporaries.optimizer.bytes, bytes: 0 };
  const phases = [forward, backward, optimizer];
  for (const p of phases) p.bytes = p.weights + p.gradients + p.optimizer + p.activations + p.temporary;
  let peak = phases[0];
  for (const p of phases) if (p.bytes > peak.bytes) peak = p;
  return { states, activations, temporaries, phases, peak };
}

function perLayerParams(groups: ReturnType<typeof parameterGroups>, layers: number): number {
  let n = 0;
  for (const g of groups) if (g.count === layers && !g.adapter) n += g.elements;
  return n;
}

const LINEAR_WEIGHT = /^(q|k|v|o|gate|up|down)_proj\.weight$|\.lora_[AB]$/;

/** Elements of one layer's linear weights (and adapters) on this GPU. */
function perLayerLinear(groups: ReturnType<typeof parameterGroups>, layers: number): number {
  let n = 0;
  for (const g of groups) if (g.count === layers && LINEAR_WEIGHT.test(g.name)) n += g.elements;
  return n;
}

/** Elements autocast copies to 16-bit on this stage: every linear weight, the LM head (the embedding when tied). */
function castElements(groups: ReturnType<typeof parameterGroups>, model: ModelSpec, stage: Stage): number {
  let n = 0;
  for (const g of groups) {
    if (LINEAR_WEIGHT.test(g.name) || g.name === "lm_head" || (g.name === "embed_tokens" && model.tiedEmbeddings && stage !== "first")) n += g.elements * g.count;
  }
  return n;
}

function largestQuantized(groups: ReturnType<typeof parameterGroups>): number {
  let n = 0;
  for (const g of groups) if (g.quantized && g.elements > n) n = g.elements;
  return n;
}

/**
 * Memory of one training step per GPU, in closed form: weights, gradients, optimizer state,
 * activations (attention, MLP, norms, full-checkpointing layer inputs, embeddings, logits; per layer), temporaries, framework
 * overhead, the phase where the peak falls (end of forward, backward, optimizer step: a peak is not
 * a sum) and the total (peak + overhead). Every term carries its formula and source; see
 * docs/estimator.md. Throws an Error naming the field on an invalid model or setup.
 */
export function estimate(model: ModelSpec, setup: TrainingSetup, options: EstimateOptions = {}): Estimate {
  validateModel(model);
  validateSetup(model, setup);
  const count = parameterCount(model);
  const notes: string[] = [];
  if (setup.seq > model.maxPositions) notes.push(`seq ${setup.seq} is longer than ${model.name}'s ${model.maxPositions} positions`);
  let chosen = stageEstimate(model, setup, setup.pp > 1 ? "first" : "only", options);
  let stage: Stage = setup.pp > 1 ? "first" : "only";
  if (setup.pp > 1) {
    const lastStage = stageEstimate(model, setup, "last", options);
    if (lastStage.peak.bytes > chosen.peak.bytes) {
      chosen = lastStage;
      stage = "last";
    }
    notes.push(`pipeline: the ${stage} stage holds the most (${setup.microbatchesInFlight ?? setup.pp} microbatches in flight on the first stage)`);
  }
  const over = overhead(options.overhead);
  const { states, activations, temporaries, phases, peak } = chosen;
  let trainable = count.total;
  if (setup.method !== "full") {
    // Adapters of the whole model (tp = pp = 1).
    trainable = 0;
    for (const t of modelTensors(model)) {
      if (t.kind === "weight" && setup.loraTargets.includes(t.module)) trainable += setup.loraRank * (t.shape[0] + t.shape[1]) * model.layers;
    }
  }
  return {
    model: model.name,
    setup,
    params: count.total,
    trainableParams: trainable,
    paramsPerGpu: states.params,
    stage,
    weights: states.weights,
    gradients: states.gradients,
    optimizer: states.optimizer,
    activations,
    temporaries,
    overhead: over,
    phases,
    peakPhase: peak.phase,
    peak,
    total: peak.bytes + over.bytes,
    notes,
  };
}
