import type { Category, TraceBuilder } from "@hbmscope/core";
import type { TrainingSetup } from "../modelSpec.js";
import { tensorBytes } from "./dtype.js";
import { gradElements } from "./stateBuffers.js";
import type { PrecisionPlan } from "./precisionPlan.js";
import type { SimTensor, StepGraph, TempSpec } from "./stepGraph.js";
import type { Zero3Gatherer } from "./zero3Gatherer.js";

/** What the passes of one graph share across microbatches: the weights' buffers, `.grad` per param, ZeRO-3 gathers. */
export interface EagerPassContext {
  /** Per param: the buffer id of its stored weight. */
  weightBuffer: number[];
  /** Per param: the buffer id of its `.grad` (-1 while none); accumulated into by later microbatches. */
  paramGrad: Int32Array;
  gathered: Zero3Gatherer;
}

/** The forward and backward pass of one microbatch through a graph, under PyTorch eager semantics. */
export interface EagerPass {
  /** Allocates the graph's `input` tensors (the batch; a received activation on a later pipeline stage). */
  allocInputs(phase: string): void;
  /** Frees the `input` tensors (end of the microbatch on a pipeline stage). */
  freeInputs(): void;
  forward(): void;
  /** Drops the references `graph.kept` holds (the loop's `out`; a pipeline stage's output once sent). */
  releaseKept(): void;
  /**
   * Runs backward from a fresh gradient of `graph.output` (`ones_like` of the loss, or the gradient
   * received from the next pipeline stage: `startOp`), then frees the gradients left (a stage's sent input gradient).
   */
  backward(startOp?: string): void;
}

/**
 * One microbatch's pass through `graph` (see `runEager` for the rules). A pass keeps its own buffers
 * (activations, saved tensors, activation gradients), so several passes of one graph can be in
 * flight at once (pipeline schedules); weight gradients go to the shared `context.paramGrad`.
 */
export function eagerPass(graph: StepGraph, plan: PrecisionPlan, setup: TrainingSetup, tb: TraceBuilder, training: boolean, context: EagerPassContext): EagerPass {
  const { tensors, ops, segments } = graph;
  const { paramGrad, gathered } = context;
  const buf = new Int32Array(tensors.length).fill(-1);
  const refs = new Int32Array(tensors.length);
  const alloc = (t: SimTensor, category: Category, phase: string, op = t.op) =>
    tb.alloc({ bytes: t.bytes, category, dtype: t.dtype, shape: t.shape, op, scope: t.scope, phase });
  const allocTemp = (x: TempSpec, scope: string, phase: string) =>
    tb.alloc({ bytes: tensorBytes(x.shape, x.dtype), category: x.category ?? "temporary", dtype: x.dtype, shape: x.shape, op: x.op, scope, phase, kernelTemp: false });

  const savedForward = new Uint8Array(tensors.length);
  for (const op of ops) {
    for (const i of op.inputs) refs[i]++;
    if (op.segment === undefined) for (const t of op.saved) { refs[t]++; savedForward[t] = 1; }
  }
  for (const seg of segments) for (const t of seg.inputs) { refs[t]++; savedForward[t] = 1; }
  for (const t of graph.kept) refs[t]++;
  const category = (t: SimTensor): Category => t.category ?? (savedForward[t.id] ? "activation" : "temporary");
  // A view (`viewOf`) allocates nothing and keeps its base's buffer alive while it lives.
  const viewLive = new Uint8Array(tensors.length);
  const drop = (t: number) => {
    if (viewLive[t]) {
      viewLive[t] = 0;
      release(tensors[t].viewOf!);
    } else if (buf[t] >= 0 && tensors[t].kind === "value") {
      tb.free(buf[t]);
      buf[t] = -1;
    }
  };
  function release(t: number): void {
    if (--refs[t] === 0) drop(t);
  }
  const isLive = (t: number) => buf[t] >= 0 || viewLive[t] === 1;
  const materialize = (t: SimTensor, cat: Category, phase: string, op?: string) => {
    if (t.viewOf !== undefined) {
      refs[t.viewOf]++;
      viewLive[t.id] = 1;
    } else buf[t.id] = alloc(t, cat, phase, op);
  };
  for (const t of tensors) if (t.kind === "param") buf[t.id] = context.weightBuffer[t.param!];

  function forward(): void {
    let layer = -2;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      if (op.layer !== layer) {
        gathered.release();
        layer = op.layer;
        if (layer >= 0) tb.mark(`layer${layer}`, "layer");
        gathered.gather(layer, "forward");
      }
      const temps = op.temps.map((x) => allocTemp(x, op.scope, "forward"));
      for (const o of op.outputs) {
        materialize(tensors[o], category(tensors[o]), "forward");
        if (refs[o] === 0) drop(o);
      }
      for (const t of temps) tb.free(t);
      for (const x of op.inputs) release(x);
    }
    gathered.release();
  }

  let keptReleased = false;
  function releaseKept(): void {
    if (keptReleased) return;
    keptReleased = true;
    for (const t of graph.kept) release(t);
  }

  function backward(startOp = "ones_like"): void {
    const grads = gradientBuffers(tb);
    const retained = new Set(graph.loop?.retainedGrads ?? []);
    const keepOutputs = graph.loop?.keepOutputs ?? false;
    const out = tensors[graph.output];
    grads.take(out.id, tb.alloc({ bytes: out.bytes, category: "temporary", dtype: out.dtype, shape: out.shape, op: startOp, scope: out.scope, phase: "backward" }), true, out);
    const segmentStart = new Int32Array(segments.length).fill(-1);
    for (let i = 0; i < ops.length; i++) {
      const sg = ops[i].segment;
      if (sg !== undefined && segmentStart[sg] < 0) segmentStart[sg] = i;
    }
    const recomputed = new Uint8Array(segments.length);
    let layer = -2;
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i];
      if (op.layer !== layer) {
        gathered.release();
        layer = op.layer;
        if (layer >= 0) tb.mark(`layer${layer}`, "layer");
        gathered.gather(layer, "backward");
      }
      const sg = op.segment;
      if (sg !== undefined && !recomputed[sg]) {
        recomputed[sg] = 1;
        recompute(sg, i, segmentStart);
      }
      const hasGrad = op.outputs.some((o) => grads.has(o));
      if (hasGrad) {
        const shared = (op.backwardTemps ?? []).map((x) => allocTemp(x, op.scope, "backward"));
        op.inputs.forEach((x, k) => {
          const spec = op.grads[k];
          if (spec === null) return;
          const temps = spec.temps.map((t) => allocTemp(t, op.scope, "backward"));
          const t = tensors[x];
          if (t.kind === "param") {
            accumulateParamGrad(t, op.scope);
          } else if (spec.passthrough && grads.has(op.outputs[0])) {
            grads.take(x, grads.of(op.outputs[0]), false, t);
          } else {
            const dx = tb.alloc({ bytes: t.bytes, category: "temporary", dtype: t.dtype, shape: t.shape, op: `${op.name}_backward`, scope: op.scope, phase: "backward" });
            grads.take(x, dx, true, t);
          }
          for (const tmp of temps) tb.free(tmp);
        });
        for (const tmp of shared) tb.free(tmp);
      }
      for (const o of op.outputs) if (grads.has(o) && !retained.has(o)) grads.drop(o);
      for (const t of op.saved) release(t);
      if (sg !== undefined && segmentStart[sg] === i) for (const t of segments[sg].inputs) release(t);
    }
    gathered.release();
    if (!keepOutputs) releaseKept();
    for (let t = 0; t < tensors.length; t++) if (grads.has(t) && !retained.has(t)) grads.drop(t);
  }

  /** Re-runs the forward ops of a segment, keeping what they save (recompute shows as re-allocation). */
  function recompute(sg: number, last: number, segmentStart: Int32Array) {
    const first = segmentStart[sg];
    const users = new Map<number, number>();
    for (let j = first; j <= last; j++) for (const x of ops[j].inputs) users.set(x, (users.get(x) ?? 0) + 1);
    const fresh = new Set<number>();
    for (let j = first; j <= last; j++) {
      const op = ops[j];
      if (op.segment !== sg) continue;
      for (const t of op.saved) refs[t]++;
      const temps = op.temps.map((x) => allocTemp(x, op.scope, "backward"));
      for (const o of op.outputs) {
        if (isLive(o)) continue;
        materialize(tensors[o], "activation", "backward", `${tensors[o].op} (recompute)`);
        refs[o] += users.get(o) ?? 0;
        fresh.add(o);
      }
      for (const t of temps) tb.free(t);
      for (const x of op.inputs) if (fresh.has(x)) release(x);
      for (const o of op.outputs) if (fresh.has(o) && refs[o] === 0) drop(o);
    }
  }

  function accumulateParamGrad(t: SimTensor, scope: string) {
    const p = graph.params[t.param!];
    if (!p.trainable) return;
    const full = tb.alloc({ bytes: tensorBytes(t.shape, gradDtypeOf(t)), category: "gradient", dtype: gradDtypeOf(t), shape: t.shape, op: "weight_grad", scope, phase: "backward" });
    const n = gradElements(p, setup);
    const sameForm = n === p.elements && gradDtypeOf(t) === (p.stateDtype ?? plan.grad);
    if (paramGrad[t.param!] < 0 && sameForm) {
      paramGrad[t.param!] = full;
      return;
    }
    if (paramGrad[t.param!] < 0) {
      paramGrad[t.param!] = tb.alloc({ bytes: tensorBytes([n], plan.grad), category: "gradient", dtype: plan.grad, shape: [n], op: n === p.elements ? "grad_accumulate" : "reduce_scatter", scope, phase: "backward" });
    }
    tb.free(full);
  }
  /** Gradients are computed in the weight's compute type (autocast: 16-bit; QLoRA adapters: 16-bit). */
  function gradDtypeOf(t: SimTensor) {
    return t.dtype === "nf4" ? plan.grad : t.dtype;
  }

  return {
    allocInputs(phase) {
      for (const t of tensors) if (t.kind === "input") buf[t.id] = alloc(t, t.category ?? "input", phase);
    },
    freeInputs() {
      for (const t of tensors) {
        if (t.kind === "input" && buf[t.id] >= 0) {
          tb.free(buf[t.id]);
          buf[t.id] = -1;
        }
      }
    },
    forward,
    releaseKept,
    backward,
  };
}

/**
 * Gradient buffers of activations, shared by reference: a pass-through gradient (an add, a view)
 * hands the same buffer to its input. A second gradient reaching a tensor is summed as PyTorch's
 * `InputBuffer::accumulate` does (torch/csrc/autograd/input_buffer.cpp): in place into the old
 * buffer when nothing else holds it, else in place into the new one when that is fresh, else into
 * a new buffer.
 */
function gradientBuffers(tb: TraceBuilder) {
  const of = new Map<number, number>();
  const holders = new Map<number, number>();
  const hold = (x: number, b: number) => {
    of.set(x, b);
    holders.set(b, (holders.get(b) ?? 0) + 1);
  };
  const drop = (x: number) => {
    const b = of.get(x)!;
    of.delete(x);
    const n = holders.get(b)! - 1;
    if (n === 0) {
      holders.delete(b);
      tb.free(b);
    } else holders.set(b, n);
  };
  return {
    has: (x: number) => of.has(x),
    of: (x: number) => of.get(x)!,
    drop,
    /** Gives tensor `x` the gradient buffer `b` (`fresh`: just allocated, held by nobody yet). */
    take(x: number, b: number, fresh: boolean, t: SimTensor) {
      if (!of.has(x)) {
        if (fresh || holders.has(b)) hold(x, b);
        return;
      }
      const old = of.get(x)!;
      if (holders.get(old) === 1) {
        if (fresh) tb.free(b);
        return;
      }
      if (fresh) {
        drop(x);
        hold(x, b);
        return;
      }
      const sum = tb.alloc({ bytes: t.bytes, category: "temporary", dtype: t.dtype, shape: t.shape, op: "grad_accumulate", scope: t.scope, phase: "backward" });
      drop(x);
      hold(x, sum);
    },
  };
}

