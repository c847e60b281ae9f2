import type { ModelSpec, TrainingSetup } from "./modelSpec.js";
import { modelTensors, type LinearModule, type ModelTensor } from "./modelTensors.js";

/** Which pipeline stage a per-GPU estimate is for. `only` when pp = 1. */
export type Stage = "only" | "first" | "last";

/** Tensors of one kind held by one GPU: `count` copies of a tensor of `elements` (after tensor-parallel splitting). */
export interface ParameterGroup {
  name: string;
  elements: number;
  count: number;
  /** Shape after splitting (2-D for matrices: Adafactor factors them). */
  shape: number[];
  trainable: boolean;
  /** NF4-quantized frozen base weight (QLoRA). */
  quantized: boolean;
  /** A LoRA adapter matrix. */
  adapter: boolean;
}

const LINEAR = new Set<string>(["q", "k", "v", "o", "gate", "up", "down"]);

function split(t: ModelTensor, tp: number): number[] {
  if (tp === 1 || t.tp === "replicated") return t.shape;
  if (t.shape.length === 1) return [Math.ceil(t.shape[0] / tp)];
  // [in, out]: column splits out, row splits in; embeddings [vocab, h] split vocab rows, lm_head [h, vocab] its columns.
  const [r, c] = t.shape;
  if (t.tp === "row" || (t.tp === "vocab" && t.module === "embedding")) return [Math.ceil(r / tp), c];
  return [r, Math.ceil(c / tp)];
}

/** What one pipeline stage holds when it is given exactly (any stage, not only the heaviest): its layers, the embedding if `first`, the head if `last`. */
export interface StagePart {
  layers: number;
  first: boolean;
  last: boolean;
}

/** Layers held by one pipeline stage (the larger share when pp does not divide them). */
export function layersPerStage(model: ModelSpec, pp: number): number {
  return Math.ceil(model.layers / pp);
}

/**
 * The parameter tensors one GPU holds under the setup's method, tensor and pipeline parallelism
 * (before ZeRO sharding): per-layer tensors × layers on the stage; embeddings on the first stage,
 * final norm and LM head on the last (with tied embeddings and pp > 1, the last stage holds a copy,
 * as Megatron-LM does); `part` names a stage exactly (a middle stage holds neither). LoRA adds A [in, r] and B [r, out] per targeted linear; under tensor
 * parallelism the adapter of a column-parallel linear splits B, of a row-parallel one splits A.
 */
export function parameterGroups(model: ModelSpec, setup: TrainingSetup, stage: Stage, part?: StagePart): ParameterGroup[] {
  const tp = setup.tp;
  const layers = part?.layers ?? layersPerStage(model, setup.pp);
  const full = setup.method === "full";
  const out: ParameterGroup[] = [];
  const first = part?.first ?? stage !== "last";
  const last = part?.last ?? stage !== "first";
  for (const t of modelTensors(model)) {
    let count = 0;
    if (t.perLayer) count = layers;
    else if (t.module === "embedding" || t.module === "position") count = first ? 1 : 0;
    else count = last ? 1 : 0;
    if (t.module === "embedding" && model.tiedEmbeddings && last && !first) count = 1;
    if (count === 0) continue;
    const shape = split(t, tp);
    out.push({
      name: t.name,
      elements: shape.reduce((a, b) => a * b, 1),
      count,
      shape,
      trainable: full,
      quantized: setup.method === "qlora" && t.kind === "weight" && LINEAR.has(t.module),
      adapter: false,
    });
    if (!full && t.kind === "weight" && LINEAR.has(t.module) && setup.loraTargets.includes(t.module as LinearModule)) {
      const [inF, outF] = t.shape;
      const r = setup.loraRank;
      const column = t.tp === "column";
      const a = [column ? inF : Math.ceil(inF / tp), r];
      const b = [r, column ? Math.ceil(outF / tp) : outF];
      out.push({ name: `${t.module}.lora_A`, elements: a[0] * a[1], count, shape: a, trainable: true, quantized: false, adapter: true });
      out.push({ name: `${t.module}.lora_B`, elements: b[0] * b[1], count, shape: b, trainable: true, quantized: false, adapter: true });
    }
  }
  return out;
}
