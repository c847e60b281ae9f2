import type { Category, TraceBuilder } from "@hbmscope/core";
import type { TrainingSetup } from "../modelSpec.js";
import { tensorBytes } from "./dtype.js";
import { gradElements } from "./stateBuffers.js";
import type { PrecisionPlan } from "./precisionPlan.js";
import type { SimTensor, StepGraph, TempSpec } from "./stepGraph.js";
import { allocModelStates, runOptimizer } from "./stepStates.js";

/**
 * PyTorch eager semantics (autograd engine, `torch/csrc/autograd/engine.cpp`):
 * - forward: an op's outputs are allocated when it runs; a tensor is freed when its last forward
 *   user has run, unless a backward node saved it;
 * - backward walks the ops in reverse; an op's output gradients are freed once its input gradients
 *   exist, and its saved tensors right after (so activations leave layer by layer);
 * - a gradient reaching a tensor with several users is accumulated in place;
 * - a weight gradient becomes `.grad` (kept until `zero_grad(set_to_none=True)` after the optimizer);
 *   ZeRO-2/3 reduce-scatter it into a 1/dp shard and free the full one;
 * - recompute segments (checkpointing) keep only their inputs, and run again at the start of their backward;
 * - ZeRO-3 gathers a layer's weights before its forward and its backward and frees them after.
 */
export function runEager(graph: StepGraph, plan: PrecisionPlan, setup: TrainingSetup, tb: TraceBuilder, training: boolean): void {
  const { tensors, ops, segments } = graph;
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

  tb.mark("setup", "phase");
  const states = allocModelStates(graph, plan, setup, tb, training);
  for (const t of tensors) if (t.kind === "param") buf[t.id] = states.weightBuffer[t.param!];
  for (const t of tensors) if (t.kind === "input") buf[t.id] = alloc(t, "input", "setup");
  const carried = (graph.loop?.carried ?? []).map((c) =>
    tb.alloc({ bytes: tensorBytes(c.shape, c.dtype), category: c.category, dtype: c.dtype, shape: c.shape, op: c.op, scope: c.scope, phase: "setup" }),
  );
  const keepOutputs = graph.loop?.keepOutputs ?? false;

  const gathered = zero3Gatherer(graph, setup, tb, plan);
  tb.mark("forward", "phase");
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
  // `out = model(**batch)` rebinds `out` when the forward pass returns: the previous step's goes.
  for (const id of carried) tb.free(id);
  if (!training) {
    if (!keepOutputs) for (const t of graph.kept) release(t);
    return;
  }

  tb.mark("backward", "phase");
  const grads = gradientBuffers(tb);
  const paramGrad = new Int32Array(graph.params.length).fill(-1);
  const retained = new Set(graph.loop?.retainedGrads ?? []);
  const out = tensors[graph.output];
  grads.take(out.id, tb.alloc({ bytes: out.bytes, category: "temporary", dtype: out.dtype, shape: out.shape, op: "ones_like", scope: out.scope, phase: "backward" }), true, out);
  const segmentStart = new Int32Array(segments.length).fill(-1);
  for (let i = 0; i < ops.length; i++) {
    const sg = ops[i].segment;
    if (sg !== undefined && segmentStart[sg] < 0) segmentStart[sg] = i;
  }
  const recomputed = new Uint8Array(segments.length);
  layer = -2;
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
      recompute(sg, i);
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
  if (!keepOutputs) for (const t of graph.kept) release(t);
  for (let t = 0; t < tensors.length; t++) if (grads.has(t) && !retained.has(t)) grads.drop(t);

  tb.mark("optimizer", "phase");
  runOptimizer(graph, plan, setup, tb, paramGrad);

  /** Re-runs the forward ops of a segment, keeping what they save (recompute shows as re-allocation). */
  function recompute(sg: number, last: number) {
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

/** ZeRO-3 (FSDP full shard): a layer's weights are all-gathered before it runs and freed after. */
function zero3Gatherer(graph: StepGraph, setup: TrainingSetup, tb: TraceBuilder, plan: PrecisionPlan) {
  const live: number[] = [];
  const byLayer = new Map<number, { bytes: number; shape: number[]; dtype: string; name: string }[]>();
  if (setup.zero === 3 && setup.dp > 1) {
    for (const p of graph.params) {
      const t = graph.tensors[p.tensor];
      const list = byLayer.get(p.layer) ?? [];
      list.push({ bytes: t.bytes, shape: t.shape, dtype: t.dtype === "nf4" ? plan.weight : t.dtype, name: p.name });
      byLayer.set(p.layer, list);
    }
  }
  return {
    gather(layer: number, phase: string) {
      for (const w of byLayer.get(layer) ?? []) {
        live.push(tb.alloc({ bytes: w.bytes, category: "weight", dtype: w.dtype, shape: w.shape, op: "all_gather", scope: w.name, phase }));
      }
    },
    release() {
      while (live.length > 0) tb.free(live.pop()!);
    },
  };
}
