import type { TraceBuilder } from "@hbmscope/core";
import type { TrainingSetup } from "../modelSpec.js";
import { tensorBytes } from "./dtype.js";
import { gradElements, optimizerBuffers, weightBuffers, type StateBuffer } from "./modelStates.js";
import type { PrecisionPlan } from "./precisionPlan.js";
import type { StepGraph } from "./stepGraph.js";

export interface AllocatedStates {
  /** Per param: the buffer id of its stored weight (the first, for NF4's three). */
  weightBuffer: number[];
  /** Per param: optimizer state buffers (master copy first), with their facts. */
  optimizer: { id: number; state: StateBuffer }[][];
}

/**
 * The model states of a steady-state step, allocated before it: weights in their stored form and,
 * when training, the optimizer state of every trainable weight (it exists since the first step).
 */
export function allocModelStates(graph: StepGraph, plan: PrecisionPlan, setup: TrainingSetup, tb: TraceBuilder, training: boolean): AllocatedStates {
  const weightBuffer: number[] = [];
  const optimizer: AllocatedStates["optimizer"] = [];
  for (const p of graph.params) {
    const t = graph.tensors[p.tensor];
    const ids = weightBuffers(p, t.dtype, setup).map((w) =>
      tb.alloc({ bytes: w.bytes, category: "weight", dtype: w.dtype, shape: w.shape, op: "param", scope: w.name, phase: "setup" }),
    );
    weightBuffer.push(ids[0]);
  }
  for (const p of graph.params) {
    const list: AllocatedStates["optimizer"][number] = [];
    if (training && p.trainable) {
      for (const st of optimizerBuffers(p, plan, setup)) {
        list.push({ id: tb.alloc({ bytes: st.bytes, category: "optimizer", dtype: st.dtype, shape: st.shape, op: "optimizer_state", scope: st.name, phase: "setup" }), state: st });
      }
    }
    optimizer.push(list);
  }
  return { weightBuffer, optimizer };
}

/**
 * The optimizer step in PyTorch (eager semantics), then `zero_grad(set_to_none=True)`:
 * - adamw with fp32 or bf16-pure states: `torch.optim.AdamW`'s default multi-tensor (foreach) path
 *   makes `sqrt(v)` of every weight at once (`torch._foreach_sqrt` in `_multi_tensor_adamw`), the rest in place;
 * - mixed policies: a fused Adam over the fp32 master (DeepSpeed `FusedAdam`) reads a 16-bit gradient
 *   shard through an fp32 copy, one weight at a time, then writes the 16-bit weight in place;
 * - adamw-8bit, sgd, sgd-momentum: in place (bitsandbytes kernels, foreach in-place ops);
 * - lion: one update buffer per weight (sign of the interpolation); adafactor: two (the squared
 *   gradient and the update), one weight at a time.
 */
export function runOptimizer(graph: StepGraph, plan: PrecisionPlan, setup: TrainingSetup, tb: TraceBuilder, states: AllocatedStates, paramGrad: Int32Array): void {
  const trainable = graph.params.map((p, i) => ({ p, i })).filter(({ p, i }) => p.trainable && paramGrad[i] >= 0);
  const temp = (n: number, dtype: PrecisionPlan["state"], name: string, op: string) =>
    tb.alloc({ bytes: tensorBytes([n], dtype), category: "temporary", dtype, shape: [n], op, scope: name, phase: "optimizer" });
  if (setup.optimizer === "adamw" && plan.master === null) {
    const live = trainable.map(({ p }) => temp(optimizerElements(p, setup), plan.state, p.name, "foreach_sqrt"));
    for (const id of live) tb.free(id);
  } else if (plan.master !== null && setup.optimizer !== "adamw-8bit" && plan.grad !== "float32") {
    for (const { p } of trainable) tb.free(temp(gradElements(p, setup), "float32", p.name, "grad_to_float32"));
  } else if (setup.optimizer === "lion" || setup.optimizer === "adafactor") {
    for (const { p } of trainable) {
      const n = optimizerElements(p, setup);
      const ids = [temp(n, plan.state, p.name, `${setup.optimizer}_update`)];
      if (setup.optimizer === "adafactor") ids.push(temp(n, plan.state, p.name, "adafactor_grad_squared"));
      for (const id of ids) tb.free(id);
    }
  }
  for (const { i } of trainable) tb.free(paramGrad[i]);
}

function optimizerElements(p: { elements: number }, setup: TrainingSetup): number {
  return setup.zero >= 1 ? Math.ceil(p.elements / setup.dp) : p.elements;
}
