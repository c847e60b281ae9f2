import type { Category } from "@hbmscope/core";
import { tensorBytes, type SimDtype } from "./dtype.js";

/**
 * The step as a graph of ops over symbolic tensors: what both semantics (`eager`, `tfjs`) interpret.
 * Built once per `simulateStep` call; plain data. Shapes are per rank (after tensor/sequence
 * parallel sharding).
 */
export interface SimTensor {
  id: number;
  shape: number[];
  dtype: SimDtype;
  /** Bytes of the buffer (`tensorBytes(shape, dtype)`). */
  bytes: number;
  /** The op that creates it. */
  op: string;
  scope: string;
  /** `param`: a model weight (allocated before the step); `input`: the batch; `value`: made by an op. */
  kind: "param" | "input" | "value";
  /** Fixed category; when absent, `activation` if saved for backward, else `temporary`. */
  category?: Category;
  requiresGrad: boolean;
  /** Index into `graph.params` for `param` tensors. */
  param?: number;
  /** tfjs: a reshape that shares the data buffer of this tensor. */
  viewOf?: number;
}

/** A kernel-internal buffer of an op (allocated before its outputs, freed after them). */
export interface TempSpec {
  shape: number[];
  dtype: SimDtype;
  op: string;
  category?: Category;
}

/** How the gradient of one input is computed. */
export interface GradSpec {
  /** Buffers made while computing it and freed right after (tfjs: the gradient's tidy). */
  temps: TempSpec[];
  /** tfjs: the gradient is a reshape of the output gradient (shares its buffer). */
  view?: boolean;
  /**
   * eager: the input's gradient is the output's gradient itself, no new buffer (PyTorch's
   * `AddBackward0` returns `grad` for both operands; views and no-op casts do the same).
   */
  passthrough?: boolean;
}

export interface SimOp {
  /** Kernel or module name (`MatMul`, `Softmax`, `linear`, ...). */
  name: string;
  scope: string;
  inputs: number[];
  outputs: number[];
  /** Tensors kept for backward (inputs or outputs of this op, or extra outputs like dropout masks). */
  saved: number[];
  temps: TempSpec[];
  /** Per input: how its gradient is computed, or null when no gradient flows to it. */
  grads: (GradSpec | null)[];
  /** Temporaries of the backward op shared by all its input gradients (tfjs: made outside the per-input tidy). */
  backwardTemps?: TempSpec[];
  /** Recompute segment (activation checkpointing, chunked-recompute, flash tiles) this op belongs to. */
  segment?: number;
  /** Layer index, -1 outside the layers. */
  layer: number;
}

/** A run of ops whose saved tensors are dropped in forward and rebuilt by re-running them in backward. */
export interface RecomputeSegment {
  id: number;
  /** Tensors from outside the segment that it keeps for backward instead. */
  inputs: number[];
}

/** A model weight of this rank. */
export interface SimParam {
  tensor: number;
  name: string;
  /** Elements of this rank's (tensor-parallel) slice, before any ZeRO sharding. */
  elements: number;
  trainable: boolean;
  layer: number;
  /** Stored as 4-bit NF4 with double-quantised constants (QLoRA). */
  nf4: boolean;
  /** Second dimension kept by Adafactor's factored second moment: [rows, cols], or [] for vectors. */
  matrix: number[];
  /**
   * Type of its gradient and optimizer state when it differs from the precision plan's (PEFT keeps
   * LoRA adapters in fp32 on a 16-bit base, and `torch.optim` keeps states in the parameter's type).
   */
  stateDtype?: SimDtype;
}

/** A buffer that exists before the step starts and is freed at a given point (the training loop's previous `out`). */
export interface CarriedBuffer {
  shape: number[];
  dtype: SimDtype;
  op: string;
  scope: string;
  category: Category;
}

export interface StepGraph {
  tensors: SimTensor[];
  ops: SimOp[];
  params: SimParam[];
  segments: RecomputeSegment[];
  /** Layer boundaries: before op `at` starts layer `layer`. */
  layerStarts: { at: number; layer: number }[];
  /** The loss (training) or the model output (forward). */
  output: number;
  /** Tensors that stay referenced until the end of the step (e.g. logits returned to the caller). */
  kept: number[];
  /**
   * The training loop as users write it (`out = model(**batch)`, then backward and the optimizer
   * step): `kept` stays live after the step (it is the next step's previous `out`), and `carried`
   * (this step's previous `out`) lives until the forward pass returns.
   */
  loop?: {
    carried: CarriedBuffer[];
    keepOutputs: boolean;
    /** Leaves whose `.grad` stays after backward (kept alive with `out`, through its autograd graph). */
    retainedGrads: number[];
  };
  /** The optimizer's code path: PyTorch's `foreach` (CUDA default) or single-tensor loop (CPU default). */
  optimizerPath?: "foreach" | "single-tensor";
}

/** Incremental builder of a `StepGraph`. */
export class GraphBuilder {
  readonly tensors: SimTensor[] = [];
  readonly ops: SimOp[] = [];
  readonly params: SimParam[] = [];
  readonly segments: RecomputeSegment[] = [];
  readonly layerStarts: { at: number; layer: number }[] = [];
  scope = "";
  layer = -1;
  segment: number | undefined = undefined;
  /** Training builds gradients and saves; forward mode saves nothing. */
  constructor(readonly training: boolean) {}

  tensor(t: Omit<SimTensor, "id" | "bytes" | "scope"> & { scope?: string }): number {
    const id = this.tensors.length;
    // Every field written, in one order: one object shape for all tensors keeps property reads
    // monomorphic (the spread it replaces made a shape per caller and cost a sixth of an estimate).
    this.tensors.push({
      id,
      shape: t.shape,
      dtype: t.dtype,
      bytes: tensorBytes(t.shape, t.dtype),
      op: t.op,
      scope: t.scope ?? this.scope,
      kind: t.kind,
      category: t.category,
      requiresGrad: t.requiresGrad,
      param: t.param,
      viewOf: t.viewOf,
    });
    return id;
  }

  param(name: string, shape: number[], dtype: SimDtype, options: { trainable: boolean; nf4?: boolean; scope?: string }): number {
    const trainable = options.trainable && this.training;
    const id = this.tensor({ shape, dtype, op: "param", kind: "param", category: "weight", requiresGrad: trainable, scope: options.scope ?? name });
    let elements = 1;
    for (const d of shape) elements *= d;
    this.params.push({ tensor: id, name, elements, trainable: options.trainable, layer: this.layer, nf4: options.nf4 ?? false, matrix: shape.length === 2 ? shape.slice() : [] });
    this.tensors[id].param = this.params.length - 1;
    return id;
  }

  get(id: number): SimTensor {
    return this.tensors[id];
  }

  /**
   * Adds an op. `out` describes the outputs; `save` names which inputs (`in:k`) and outputs
   * (`out:k`) it keeps for backward, and may add extra saved outputs. `grad` gives, per input, the
   * temporaries of its gradient. Gradients flow only to inputs that require them.
   */
  op(spec: {
    name: string;
    inputs: number[];
    outputs: { shape: number[]; dtype: SimDtype; category?: Category; viewOf?: number; noGrad?: boolean }[];
    save?: (inputs: number[], outputs: number[]) => number[];
    temps?: TempSpec[];
    grad?: (input: number, k: number) => GradSpec;
    backwardTemps?: TempSpec[];
  }): number[] {
    const needsGrad = this.training && spec.inputs.some((i) => this.tensors[i].requiresGrad);
    const outputs = spec.outputs.map((o) =>
      this.tensor({ shape: o.shape, dtype: o.dtype, op: spec.name, kind: "value", category: o.category, requiresGrad: needsGrad && !o.noGrad, viewOf: o.viewOf }),
    );
    const saved = needsGrad && spec.save ? [...new Set(spec.save(spec.inputs, outputs))] : [];
    const grads = spec.inputs.map((i, k) => (needsGrad && this.tensors[i].requiresGrad ? (spec.grad?.(i, k) ?? { temps: [] }) : null));
    this.ops.push({
      name: spec.name,
      scope: this.scope,
      inputs: spec.inputs,
      outputs,
      saved,
      temps: spec.temps ?? [],
      grads,
      backwardTemps: needsGrad ? spec.backwardTemps : undefined,
      segment: this.segment,
      layer: this.layer,
    });
    return outputs;
  }

  /**
   * Keeps `ids` referenced until this point of the forward pass (a Python local that outlives the
   * tensor's last use); adds a no-op that allocates nothing.
   */
  hold(ids: number[], name = "python_local"): void {
    if (ids.length === 0) return;
    this.ops.push({ name, scope: this.scope, inputs: ids, outputs: [], saved: [], temps: [], grads: ids.map(() => null), segment: this.segment, layer: this.layer });
  }

  /** Runs `body` as a recompute segment that keeps only `inputs` for backward. */
  recompute<T>(inputs: number[], body: () => T): T {
    if (!this.training || this.segment !== undefined) return body();
    const id = this.segments.length;
    this.segments.push({ id, inputs: inputs.filter((i) => this.tensors[i].kind !== "param") });
    this.segment = id;
    try {
      return body();
    } finally {
      this.segment = undefined;
    }
  }

  startLayer(layer: number): void {
    this.layer = layer;
    this.layerStarts.push({ at: this.ops.length, layer });
  }

  build(output: number, kept: number[]): StepGraph {
    return {
      tensors: this.tensors,
      ops: this.ops,
      params: this.params,
      segments: this.segments,
      layerStarts: this.layerStarts,
      output,
      kept,
    };
  }
}
