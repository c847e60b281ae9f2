import type { ModelSpec, TrainingSetup } from "./modelSpec.js";
import { layerActivations } from "./activations.js";
import { modelStates } from "./modelStates.js";
import { overhead, type Overhead, type OverheadDefaults } from "./overhead.js";
import { layersPerStage, parameterGroups, type Stage, type StagePart } from "./parameterGroups.js";
import { inFlightMicrobatches } from "./pipeline/inFlightMicrobatches.js";
import { pipelineSchedule, type PipelineScheduleName } from "./pipeline/pipelineSchedule.js";
import { stageLayers } from "./pipeline/stageLayers.js";
import { modelTensors } from "./modelTensors.js";
import { parameterCount } from "./parameterCount.js";
import { precisionBytes } from "./precisionBytes.js";
import { term, type Term } from "./term.js";
import { validateModel } from "./validateModel.js";
import { validateSetup } from "./validateSetup.js";
import { hfPhases } from "./hfPhases.js";
import { programOf } from "./simulate/programOf.js";

/** "hf keeps 2.31x their activations at its peak" */
function formatShare(hf: number, fused: number): string {
  return fused > 0 ? `the hf program keeps ${(hf / fused).toFixed(2)}x their activations at its peak` : "which the hf program exceeds";
}

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
  /** Every pipeline stage under `options.pipeline`'s schedule (pp > 1 only), as `simulatePipeline` runs it. */
  stages?: StageEstimate[];
  notes: string[];
}

/** One pipeline stage's peak, before overhead (bytes). */
export interface StageEstimate {
  /** 0-based. */
  stage: number;
  /** Layers on the stage (all its model chunks). */
  layers: number;
  /** Microbatches whose activations it holds at most (`inFlightMicrobatches`; fractional when interleaved). */
  inFlightMicrobatches: number;
  peakBytes: number;
  peakPhase: PeakPhase;
  /** Where in the phase: "end of forward", "backward of the first layer (attention)", ... */
  at: string;
  /** The parts of `peakBytes`. */
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  temporary: number;
}

/** The pipeline schedule `estimate`'s `stages` follow. */
export interface PipelineEstimateOptions {
  /** @defaultValue `"1f1b"` */
  schedule?: PipelineScheduleName;
  /** Microbatches per step. @defaultValue `setup.pp` */
  microbatches?: number;
  /** Model chunks per GPU (interleaved). @defaultValue 2 for `interleaved`, else 1 */
  virtualStages?: number;
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
  /** The schedule of `stages` (pp > 1). @defaultValue 1F1B with pp microbatches */
  pipeline?: PipelineEstimateOptions;
}

const LOGITS_SOURCE = "Korthikanti et al. 2022 sec. 4.3 (cross-entropy keeps 4sbv fp32); transformers upcasts logits to fp32 for the loss";

/**
 * One stage of a simulated pipeline schedule (`estimate`'s `stages`): its exact layers and ends, the
 * microbatches in flight (`inFlightMicrobatches`), whether `.grad` already exists while they are (M
 * beyond the in-flight count: an earlier microbatch's backward made it), and no logits kept past the
 * loss (Megatron-LM's loss function returns the loss alone).
 */
interface PipelineStagePart extends StagePart {
  inFlight: number;
  /** Microbatches in flight in the stage's first and last model chunk then (the embedding's and the loss's; `inFlight` unless interleaved). */
  firstChunkInFlight: number;
  lastChunkInFlight: number;
  gradsLive: boolean;
}

function stageEstimate(model: ModelSpec, setup: TrainingSetup, stage: Stage, options: EstimateOptions, pipe?: PipelineStagePart) {
  const A = precisionBytes(setup.precision).activation;
  const { seq: s, batch: b, tp: t } = setup;
  const sb = s * b;
  const rep = setup.sp ? t : 1;
  const h = model.hidden;
  const v = Math.ceil(model.vocab / t);
  const first = pipe?.first ?? stage !== "last";
  const last = pipe?.last ?? stage !== "first";
  const groups = parameterGroups(model, setup, stage, pipe);
  const states = modelStates(groups, setup, options);
  const layer = layerActivations(model, setup);
  const layers = pipe?.layers ?? layersPerStage(model, setup.pp);
  const micro = pipe?.inFlight ?? (stage === "first" ? (setup.microbatchesInFlight ?? setup.pp) : 1);
  // The loss side is per microbatch too: a pipeline's last stage holds it for each one in flight in its last chunk.
  const lossMicro = pipe ? pipe.lastChunkInFlight : 1;
  const embMicro = pipe ? pipe.firstChunkInFlight : micro;

  const embBytes = first ? 8 * sb + (model.dropout ? (sb * h) / rep : 0) : 0;
  // The final norm saves its input; the LM head saves the norm's output only when the head trains
  // (a frozen head under LoRA/QLoRA keeps no input: see layerActivations).
  const headIn = setup.method === "full" ? 2 : 1;
  const logitsBytes = last ? (headIn * A * sb * h) / rep + 4 * sb * v + 8 * sb : 0;
  const perLayerAll = layer.total.bytes * layers * micro;
  const scale = layers * micro;
  // Fused LayerNorm / RMSNorm kernels save fp32 statistics of [b, s] beside their input (aten
  // `native_layer_norm` saves mean and rstd; `_fused_rms_norm` saves rstd): 4·sb per statistic, two
  // norms a layer (none kept under full recomputation) and the final norm. Korthikanti et al. leave them out.
  const stat = ((model.norm === "layernorm" ? 2 : 1) * 4 * sb) / rep;
  const statsBytes = (setup.checkpointing === "full" ? 0 : 2 * stat * scale) + (last ? stat * lossMicro : 0);
  const acts = perLayerAll + embBytes * embMicro + logitsBytes * lossMicro + statsBytes;
  const activations: ActivationEstimate = {
    bytes: acts,
    formula: "layers on stage × microbatches in flight × perLayer + embeddings + logits + norm statistics",
    source: "Korthikanti et al. 2022 sec. 4 (per layer, pipeline 1F1B in-flight microbatches sec. 4.2.3)",
    attention: term(layer.attention.bytes * scale, layer.attention.formula, layer.attention.source),
    mlp: term(layer.mlp.bytes * scale, layer.mlp.formula, layer.mlp.source),
    norms: term(
      layer.norms.bytes * scale + statsBytes,
      `${layer.norms.formula} per layer + fp32 statistics ${model.norm === "layernorm" ? "2·" : ""}4·sb${setup.sp ? "/t" : ""} per norm`,
      `${layer.norms.source}; statistics: PyTorch native_layer_norm / _fused_rms_norm save mean and rstd in fp32`,
    ),
    checkpoints: term(layer.checkpoints.bytes * scale, layer.checkpoints.formula, layer.checkpoints.source),
    embeddings: term(embBytes * embMicro, first ? (model.dropout ? "8·sb (int64 ids) + sbh dropout mask" : "8·sb (int64 ids)") : "0 (not on this stage)", "Korthikanti et al. 2022 sec. 4.3"),
    logits: term(logitsBytes * lossMicro, last ? "2·A·sbh (final norm in, LM head in) + 4·sbv/t (fp32 log-probs) + 8·sb (labels)" : "0 (not on this stage)", LOGITS_SOURCE),
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
  // The 16-bit (A-byte) logits are the model's output: transformers returns them in
  // CausalLMOutputWithPast, and `out = model(**batch); out.loss.backward()` holds them through backward
  // (transformers >= 4.45 upcasts inside the loss, `loss_utils.ForCausalLMLoss`: `logits.float()`).
  const keptLogits = last && !pipe ? A * sb * v : 0;
  // Start of backward: nll_loss's backward allocates the gradient of the fp32 log-probabilities
  // (aten `nll_loss_backward`: zeros [N, V], then scatter), and log_softmax's backward allocates the
  // gradient of the fp32 logits while that gradient and its saved output are live
  // (aten `_log_softmax_backward_data`): two 4·sbv/t buffers at once.
  const dlogits = last ? 2 * 4 * sb * v : 0;
  // PyTorch autocast (amp) keeps 16-bit copies of the fp32 weights its matmuls use: in its cast cache
  // until forward ends, and saved for backward (torch.autocast, cache_enabled; autocast_mode.cpp
  // cached_cast). Full checkpointing saves none: backward re-casts one layer at a time.
  // Only fp32 weights are copied (`cached_cast` casts when the type differs): QLoRA's weights are NF4
  // or already 16-bit, so amp makes no copies there.
  const casts = setup.precision === "amp" && setup.method !== "qlora";
  const cast = casts ? 2 * castElements(groups, model, stage) : 0;
  const layerCast = casts ? 2 * perLayerLinear(groups, layers) : 0;
  // By the attention's backward the MLP's copies are released with the MLP's saved tensors.
  const attnCast = casts ? 2 * perLayerLinear(groups, layers, ATTENTION_LINEAR) : 0;
  // Under full checkpointing a layer's copies live only while it runs (forward or recompute); the LM
  // head's copy stays saved until its backward.
  const headCast = cast - layers * layerCast;
  const ckptFull = setup.checkpointing === "full";
  // Each microbatch in flight keeps its own copies (saved by its linears); a pipeline holds several.
  const castInForward = (ckptFull ? headCast : cast) * (pipe ? micro : 1);
  const layerExtra = zero3 + zero3Grads + dequant;
  // At the attention's points only an attention projection is dequantized (bitsandbytes dequantizes
  // the weight of the matmul running, for dX).
  const attnExtra = zero3 + zero3Grads + (setup.method === "qlora" ? 2 * largestQuantized(groups, ATTENTION_SIDE) : 0);
  const layerWork = layer.backwardWork + layerExtra;
  const temporaries: Record<PeakPhase, Term> = {
    forward: term(fwdLogits + zero3 + castInForward, `logits A·sbv/t${A < 4 ? " + fp32 upcast 4·sbv/t" : ""}${zero3 ? " + ZeRO-3 gathered layer ×2 (prefetch)" : ""}${cast ? " + autocast 16-bit weight copies 2 B × linear weights" : ""}`, `${LOGITS_SOURCE}; DeepSpeed ZeRO-3 prefetch; torch.autocast weight cast cache`),
    backward: term(layerWork, `${layer.recomputed ? "recomputed part of one layer + " : ""}one layer's gradient buffers${zero3 ? " + ZeRO-3 gathered params and unreduced grads" : ""}${dequant ? " + dequantized weight" : ""} ${cast ? " + autocast weight copies saved for backward" : ""} (start of backward: kept logits A·sbv/t + gradients of the fp32 log-probs and logits 2 × 4·sbv/t)`, "Korthikanti et al. 2022 sec. 5 (recomputation); one layer's gradient buffers are an approximation"),
    optimizer: states.optimizerTemporary,
  };

  const W = states.weights.bytes;
  const G = states.gradients.bytes;
  const O = states.optimizer.bytes;
  const gradsForward = options.gradientsInForward || pipe?.gradsLive ? G : 0;
  // Backward frees each layer's activations as it goes and allocates gradients: live bytes are linear
  // in between, so the high point is at one of three points: the loss gradient (start), the last
  // layer's backward (all activations + its recomputation), the first layer's (all gradients).
  const embActs = embBytes * embMicro;
  // By the last layer's backward the loss side is done: its saved tensors (final norm input and
  // statistics, LM head input, fp32 log-probabilities) are freed and the head's gradients exist
  // (PyTorch autograd frees a node's saved tensors once it has run, engine.cpp `release_variables`).
  const lossSide = last ? logitsBytes - 8 * sb + stat : 0;
  const headGrads = last ? headGradientBytes(groups, setup, model) : 0;
  let forward: PhaseBytes = { phase: "forward", at: "end of forward", weights: W, gradients: gradsForward, optimizer: O, activations: acts, temporary: temporaries.forward.bytes, bytes: 0 };
  // QLoRA: each matmul dequantizes its NF4 weight to a 16-bit temporary (bitsandbytes
  // `dequantize_4bit` in `MatMul4Bit.forward`), live with the matmul's output. In the last layer,
  // before the loss side exists, that can top the end of forward.
  if (dequant > 0) {
    const layerPoint = acts - lossSide + dequant + A * sb * Math.max(h, Math.ceil(model.ffn / t));
    if (layerPoint > acts + forward.temporary) {
      forward = { ...forward, at: "forward of the last layer (dequantized weight)", activations: acts - lossSide, temporary: dequant + A * sb * Math.max(h, Math.ceil(model.ffn / t)) };
      temporaries.forward = term(forward.temporary, "dequantized 16-bit weight + its matmul's output A·sb·max(h, f/t)", "bitsandbytes dequantizes NF4 per matmul (MatMul4Bit)");
    }
  }
  // The embedding's gradients are allocated by its own backward, after the first layer's.
  const embGrads = first ? embeddingGradientBytes(groups, setup, model) : 0;
  // The embedding's backward (aten `embedding_dense_backward`) returns a fresh dense [v, h] gradient
  // in the weight's dtype; AccumulateGrad keeps it as `.grad` only when no `.grad` exists yet and the
  // dtype matches. A tied embedding already has the LM head's gradient, and fp32 main gradients
  // (mixed-fp32-grads) or ZeRO-2/3 shards are separate buffers: the fresh one is a transient then.
  // Learned positions run their backward first (before the token embedding's gradient exists).
  const separateGrad = pb.gradient !== pb.weight || (setup.zero >= 2 && setup.dp > 1);
  const amp = setup.precision === "amp";
  const tokenFresh = first && setup.method === "full" && (model.tiedEmbeddings || separateGrad) ? v * h * pb.weight : 0;
  const positionFresh = first && setup.method === "full" && separateGrad ? model.positionEmbeddings * h * pb.weight - (model.tiedEmbeddings ? 0 : v * h * pb.gradient) : 0;
  // Learned positions are added to the token embedding: that add's backward makes the embedding
  // output's gradient while its own output gradient is live, so the positions' point holds two A·sbh
  // (less the token embedding's gradient, not made yet when untied).
  const sbhA = first ? (A * sb * h) / rep : 0;
  const positionPoint =
    first && model.positionEmbeddings > 0
      ? sbhA + (setup.method !== "full" ? 0 : separateGrad ? positionFresh : -(model.tiedEmbeddings ? 0 : v * h * pb.gradient))
      : 0;
  const embFresh = Math.max(tokenFresh, positionPoint);
  // The batch (token ids and labels) stays referenced by the training loop until the step ends: the
  // labels through backward, both through the optimizer step.
  const labels = last ? 8 * sb : 0;
  const batchBytes = (first ? 8 * sb : 0) + labels;
  // The embedding's dropout mask is released by dropout's backward, before the embedding's.
  const embMask = first && model.dropout ? (sb * h) / rep : 0;
  // Backward of the LM head: log-softmax's saved fp32 output is released; the gradient of the logits
  // (A·sbv/t), of the head's input (A·sbh) and the head's weight gradient exist. The weight gradient is
  // made fresh in the weight's dtype (amp: the 16-bit copy's) and becomes `.grad` unless that is
  // another buffer (fp32 main gradients, amp's fp32 weight, ZeRO-2/3 shards: both live at once).
  // The first layer's norm statistics, still saved during its backward (rebuilt with it under full recomputation).
  const layerStats = setup.checkpointing === "full" ? 0 : 2 * stat;
  const firstAttnGrads = first ? layerGradientBytes(groups, setup, layers, ATTENTION_SIDE) : 0;
  const firstGateUpGrads = first ? layerGradientBytes(groups, setup, layers, GATE_UP) : 0;
  const lastDownGrads = last ? layerGradientBytes(groups, setup, layers, DOWN) : 0;
  const lastMlpGrads = last ? layerGradientBytes(groups, setup, layers, MLP_SIDE) : 0;
  const lastNormOGrads = last ? layerGradientBytes(groups, setup, layers, NORM2_O) : 0;
  const lastLayerGrads = last ? layerGradientBytes(groups, setup, layers, /./) : 0;
  // A weight's gradient is made fresh in the weight's dtype (amp: the 16-bit copy's gradient) and
  // accumulated into a separate `.grad` (fp32 main gradients, amp's fp32 weight, ZeRO-2/3 shards):
  // both live at once, one weight at a time.
  const freshBytes = setup.method === "qlora" ? (setup.zero >= 2 && setup.dp > 1 ? 2 : 0) : separateGrad ? pb.weight : amp ? 2 : 0;
  const fresh = (which: RegExp) => freshBytes * largestTrainable(groups, layers, which);
  const downFresh = fresh(DOWN);
  const gateUpFresh = fresh(GATE_UP);
  const qkvFresh = fresh(QKV_SIDE);
  const firstQkvGrads = first ? layerGradientBytes(groups, setup, layers, QKV_SIDE) : 0;
  const headElems = last && setup.method === "full" ? headWeightElements(groups, model) : 0;
  const headTransient = separateGrad ? headElems * pb.weight : amp ? headElems * 2 : 0;
  const headGrad = setup.zero >= 2 && setup.dp > 1 ? Math.ceil((headElems * pb.gradient) / setup.dp) : headElems * pb.gradient;
  const candidates: PhaseBytes[] = [
    { phase: "backward", at: "start of backward (loss gradient)", weights: W, gradients: gradsForward, optimizer: O, activations: acts, temporary: keptLogits + dlogits + castInForward, bytes: 0 },
    ...(headElems > 0 && !amp
      ? [{ phase: "backward" as const, at: "backward of the LM head", weights: W, gradients: gradsForward + headGrad, optimizer: O, activations: acts - 4 * sb * v, temporary: keptLogits + A * sb * v + (A * sb * h) / rep + headTransient + castInForward, bytes: 0 }]
      : []),
    // amp: the head's matmul returns the gradient of the 16-bit copy; the fp32 weight's own gradient
    // is made by the cast's backward, after the head's backward has freed the logits' gradient, its
    // saved input and (saved by it alone) the copy.
    ...(headElems > 0 && amp
      ? [
          { phase: "backward" as const, at: "backward of the LM head", weights: W, gradients: gradsForward, optimizer: O, activations: acts - 4 * sb * v, temporary: keptLogits + A * sb * v + (A * sb * h) / rep + headTransient + castInForward, bytes: 0 },
          { phase: "backward" as const, at: "backward of the LM head's autocast copy", weights: W, gradients: gradsForward + headGrad, optimizer: O, activations: acts - 4 * sb * v - (A * sb * h) / rep, temporary: keptLogits + castInForward, bytes: 0 },
        ]
      : []),
    // The LM head's autocast copy is saved by the head alone: released once its backward has run.
  // The last layer's gradients appear as its backward goes: the down projection's at the MLP's high
    // point, the whole MLP side's (and its norm's) by its input side, the o-projection's too by the
    // attention core's.
    { phase: "backward", at: "backward of the last layer (MLP)", weights: W, gradients: Math.max(gradsForward, headGrads + lastDownGrads), optimizer: O, activations: acts - lossSide, temporary: keptLogits + layer.backwardWorkMlp + downFresh + layerExtra + (ckptFull ? layerCast : cast - headCast), bytes: 0 },
    { phase: "backward", at: "backward of the last layer (MLP input)", weights: W, gradients: Math.max(gradsForward, headGrads + lastMlpGrads), optimizer: O, activations: acts - lossSide, temporary: keptLogits + layer.backwardWorkMlpInput + gateUpFresh + layerExtra + (ckptFull ? layerCast : cast - headCast), bytes: 0 },
    { phase: "backward", at: "backward of the last layer (attention)", weights: W, gradients: Math.max(gradsForward, headGrads + lastMlpGrads + lastNormOGrads), optimizer: O, activations: acts - lossSide, temporary: keptLogits + layer.backwardWorkAttention + attnExtra + (ckptFull ? attnCast : cast - headCast), bytes: 0 },
    { phase: "backward", at: "backward of the last layer (attention input)", weights: W, gradients: Math.max(gradsForward, headGrads + lastLayerGrads), optimizer: O, activations: acts - lossSide, temporary: keptLogits + layer.backwardWorkAttentionInput + qkvFresh + attnExtra + (ckptFull ? attnCast : cast - headCast), bytes: 0 },
    // The first layer's MLP runs its backward before its attention: the attention side's weight
    // gradients (q, k, v, o, input norm) do not exist yet at the MLP's high point.
    // Within the MLP, the gate and up projections' gradients are made after the activation's backward.
    { phase: "backward", at: "backward of the first layer (MLP)", weights: W, gradients: G - embGrads - firstAttnGrads - firstGateUpGrads, optimizer: O, activations: embActs + layer.total.bytes + layerStats + labels, temporary: keptLogits + layer.backwardWorkMlp + downFresh + layerExtra + layerCast, bytes: 0 },
    { phase: "backward", at: "backward of the first layer (MLP input)", weights: W, gradients: G - embGrads - firstAttnGrads, optimizer: O, activations: embActs + layer.total.bytes + layerStats + labels, temporary: keptLogits + layer.backwardWorkMlpInput + gateUpFresh + layerExtra + layerCast, bytes: 0 },
    // The attention core's backward runs before the q, k, v projections' (and the input norm's).
    { phase: "backward", at: "backward of the first layer (attention)", weights: W, gradients: G - embGrads - firstQkvGrads, optimizer: O, activations: embActs + layer.total.bytes + layerStats + labels, temporary: keptLogits + layer.backwardWorkAttention + attnExtra + attnCast, bytes: 0 },
    { phase: "backward", at: "backward of the first layer (attention input)", weights: W, gradients: G - embGrads, optimizer: O, activations: embActs + layer.total.bytes + layerStats + labels, temporary: keptLogits + layer.backwardWorkAttentionInput + qkvFresh + attnExtra + attnCast, bytes: 0 },
    { phase: "backward", at: "backward of the embedding", weights: W, gradients: G, optimizer: O, activations: embActs - embMask + labels, temporary: keptLogits + sbhA + embFresh, bytes: 0 },
  ];
  // The other microbatches in flight stay whole while one runs its backward (with their autocast copies).
  const others = pipe ? acts - acts / micro : 0;
  const otherCasts = pipe ? (castInForward * (micro - 1)) / micro : 0;
  for (const c of candidates.slice(candidates.findIndex((c) => c.at.startsWith("backward of the first layer")))) c.activations += others;
  if (pipe) for (const c of candidates) c.temporary += c.at.startsWith("start of") || c.at.includes("LM head") ? 0 : otherCasts;
  if (pipe?.gradsLive) for (const c of candidates) c.gradients = G;
  let backward = candidates[0];
  for (const c of candidates) {
    c.bytes = c.weights + c.gradients + c.optimizer + c.activations + c.temporary;
    if (c.bytes > backward.bytes) backward = c;
  }
  const optimizer: PhaseBytes = { phase: "optimizer", at: "optimizer step", weights: W, gradients: G, optimizer: O, activations: batchBytes, temporary: temporaries.optimizer.bytes, bytes: 0 };
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

/** Gradient bytes of the LM head and final norm (the embedding when tied), before ZeRO-2/3 shard them. */
function headGradientBytes(groups: ReturnType<typeof parameterGroups>, setup: TrainingSetup, model: ModelSpec): number {
  if (setup.method !== "full" || (setup.zero >= 2 && setup.dp > 1)) return 0;
  let n = 0;
  for (const g of groups) if (g.name === "lm_head" || g.name.startsWith("final_norm.") || (g.name === "embed_tokens" && model.tiedEmbeddings)) n += g.elements;
  return n * precisionBytes(setup.precision).gradient;
}

/** One layer's attention side (q, k, v, o, their adapters, the input norm). */
const ATTENTION_SIDE = /^(input_norm\.|[qkvo]_proj\.|[qkvo]\.lora_)/;
/** One layer's MLP input side (gate, up, their adapters). */
const GATE_UP = /^(gate|up)(_proj\.|\.lora_)/;

/** One layer's q, k, v projections (and adapters) and input norm. */
const QKV_SIDE = /^(input_norm\.|[qkv]_proj\.|[qkv]\.lora_)/;
/** One layer's down projection (and adapters). */
const DOWN = /^down(_proj\.|\.lora_)/;
/** One layer's MLP (gate, up, down and adapters). */
const MLP_SIDE = /^(gate|up|down)(_proj\.|\.lora_)/;
/** One layer's second norm and o-projection (and adapters). */
const NORM2_O = /^(post_attention_norm\.|o_proj\.|o\.lora_)/;

/** Gradient bytes of one layer's tensors whose names match `which`, as this GPU holds them. */
function layerGradientBytes(groups: ReturnType<typeof parameterGroups>, setup: TrainingSetup, layers: number, which: RegExp): number {
  let n = 0;
  for (const g of groups) if (g.count === layers && g.trainable && which.test(g.name)) n += g.elements;
  const bytes = n * (setup.method === "qlora" ? 2 : precisionBytes(setup.precision).gradient);
  return setup.zero >= 2 && setup.dp > 1 ? Math.floor(bytes / setup.dp) : bytes;
}

/** Elements of the LM head's weight on this GPU (the embedding when tied). */
function headWeightElements(groups: ReturnType<typeof parameterGroups>, model: ModelSpec): number {
  let n = 0;
  for (const g of groups) if (g.name === "lm_head" || (g.name === "embed_tokens" && model.tiedEmbeddings)) n = g.elements;
  return n;
}

/** Gradient bytes of the input embeddings (token embedding unless tied, positions), before ZeRO-2/3 shard them. */
function embeddingGradientBytes(groups: ReturnType<typeof parameterGroups>, setup: TrainingSetup, model: ModelSpec): number {
  if (setup.method !== "full" || (setup.zero >= 2 && setup.dp > 1)) return 0;
  let n = 0;
  for (const g of groups) if ((g.name === "embed_tokens" && !model.tiedEmbeddings) || g.name === "embed_positions") n += g.elements;
  return n * precisionBytes(setup.precision).gradient;
}

const LINEAR_WEIGHT = /^(q|k|v|o|gate|up|down)_proj\.weight$|\.lora_[AB]$/;

/** Elements of one layer's linear weights (and adapters) on this GPU. */
const ATTENTION_LINEAR = /^[qkvo]_proj\.weight$|^[qkvo]\.lora_[AB]$/;

function perLayerLinear(groups: ReturnType<typeof parameterGroups>, layers: number, which: RegExp = LINEAR_WEIGHT): number {
  let n = 0;
  for (const g of groups) if (g.count === layers && which.test(g.name)) n += g.elements;
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

/** Elements of the largest trainable per-layer tensor whose name matches `which`. */
function largestTrainable(groups: ReturnType<typeof parameterGroups>, layers: number, which: RegExp): number {
  let n = 0;
  for (const g of groups) if (g.count === layers && g.trainable && which.test(g.name) && g.elements > n) n = g.elements;
  return n;
}

function largestQuantized(groups: ReturnType<typeof parameterGroups>, which?: RegExp): number {
  let n = 0;
  for (const g of groups) if (g.quantized && g.elements > n && (!which || which.test(g.name))) n = g.elements;
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
  const { states, activations, temporaries } = chosen;
  let { phases, peak } = chosen;
  const program = programOf(setup);
  notes.push(...program.notes);
  // programOf falls back to fused, with its note, for pp > 1 (the hf program is not simulated per stage).
  if (program.implementation === "hf") {
    // The phases of the program Hugging Face runs come from its op graph (hfPhases); the terms above
    // stay the fused profile's closed forms, a lower bound of its activations.
    phases = hfPhases(model, setup);
    peak = phases.reduce((a, p) => (p.bytes > a.bytes ? p : a));
    notes.push(
      `implementation hf: the phases and the peak follow Hugging Face transformers' code as written (its op graph, simulated at 4 and 5 layers and extrapolated per layer); the activation terms are the fused kernels' closed forms, ${formatShare(peak.activations, activations.bytes)}`,
    );
  }
  const stages = setup.pp > 1 ? pipelineStages(model, setup, options) : undefined;
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
    ...(stages ? { stages } : {}),
    notes,
  };
}

/**
 * Every stage of a pipeline step under `options.pipeline`'s schedule: the closed forms of
 * `stageEstimate` with the stage's own layers and ends, `inFlightMicrobatches` of its activations and
 * gradients present once an earlier microbatch's backward has run. The fused kernels' rules, as
 * `simulatePipeline`; bounds against it in docs/estimator.md.
 */
function pipelineStages(model: ModelSpec, setup: TrainingSetup, options: EstimateOptions): StageEstimate[] {
  const schedule = options.pipeline?.schedule ?? "1f1b";
  const M = options.pipeline?.microbatches ?? setup.pp;
  const V = options.pipeline?.virtualStages ?? (schedule === "interleaved" ? 2 : 1);
  const pp = setup.pp;
  // Validates the schedule (and M, V) with its one-line errors.
  const order = pipelineSchedule({ schedule, pp, microbatches: M, virtualStages: V });
  const split = stageLayers(model.layers, pp, V);
  return split.map((chunks, i) => {
    const k = inFlightMicrobatches(schedule, pp, i, M, V);
    // Gradients exist while k microbatches are in flight when a backward ran before the forward that
    // makes it k; the first and last chunks' counts are taken at the first such point.
    let live = 0;
    let backwards = 0;
    let gradsLive = false;
    const perChunk = new Array<number>(V).fill(0);
    let atPeak: number[] | null = null;
    for (const s of order[i]) {
      if (s.pass === "backward") {
        live--;
        perChunk[s.chunk]--;
        backwards++;
      } else {
        perChunk[s.chunk]++;
        if (++live === k * V) {
          atPeak ??= perChunk.slice();
          if (backwards > 0) gradsLive = true;
        }
      }
    }
    const part = {
      layers: chunks.reduce((n, [a, b]) => n + b - a, 0),
      first: i === 0,
      last: i === pp - 1,
      inFlight: k,
      firstChunkInFlight: atPeak![0],
      lastChunkInFlight: atPeak![V - 1],
      gradsLive,
    };
    const { peak } = stageEstimate(model, setup, i === pp - 1 ? "last" : "first", options, part);
    return {
      stage: i,
      layers: part.layers,
      inFlightMicrobatches: k,
      peakBytes: peak.bytes,
      peakPhase: peak.phase,
      at: peak.at,
      weights: peak.weights,
      gradients: peak.gradients,
      optimizer: peak.optimizer,
      activations: peak.activations,
      temporary: peak.temporary,
    };
  });
}
