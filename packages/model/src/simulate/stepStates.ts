import type { TraceBuilder } from "@hbmscope/core";
import type { TrainingSetup } from "../modelSpec.js";
import { tensorBytes } from "./dtype.js";
import { optimizerBuffers, weightBuffers, type StateBuffer } from "./stateBuffers.js";
import type { PrecisionPlan } from "./precisionPlan.js";
import type { StepGraph } from "./stepGraph.js";
import { defaultFused } from "../modelStates.js";

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
 * The optimizer step (eager semantics), then `zero_grad(set_to_none=True)` frees the gradients.
 * The transients are the estimator's (`modelStates`, `optimizerTemporary`):
 * - mixed policies: a fused kernel over the fp32 master (DeepSpeed / apex `FusedAdam`): none;
 * - adamw and lion otherwise: PyTorch's multi-tensor path makes one state-sized buffer per weight, all
 *   at once (`torch._foreach_sqrt(exp_avg_sqs)` in `_multi_tensor_adamw`);
 * - adafactor: fp32 copies of the gradient, the update and the weight, one weight at a time
 *   (transformers `Adafactor.step`);
 * - adamw-8bit, sgd, sgd-momentum: in place.
 */
export function runOptimizer(graph: StepGraph, plan: PrecisionPlan, setup: TrainingSetup, tb: TraceBuilder, paramGrad: Int32Array): void {
  const trainable = graph.params.filter((p, i) => p.trainable && paramGrad[i] >= 0);
  const temp = (n: number, dtype: PrecisionPlan["state"], name: string, op: string) =>
    tb.alloc({ bytes: tensorBytes([n], dtype), category: "temporary", dtype, shape: [n], op, scope: name, phase: "optimizer" });
  const fused = defaultFused(setup);
  const elements = (p: { elements: number }) => (setup.zero >= 1 && setup.dp > 1 ? Math.ceil(p.elements / setup.dp) : p.elements);
  if (!fused && setup.optimizer === "adamw" && graph.optimizerPath === "single-tensor") {
    // `_single_tensor_adam` (torch/optim/adam.py): `denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)`
    // per weight; the sqrt goes after the division, and the previous weight's `denom` when the name is rebound.
    let denom = -1;
    for (const p of trainable) {
      const dtype = p.stateDtype ?? plan.state;
      const sqrt = temp(elements(p), dtype, p.name, "sqrt");
      const div = temp(elements(p), dtype, p.name, "div");
      tb.free(sqrt);
      if (denom >= 0) tb.free(denom);
      denom = div;
    }
    if (denom >= 0) tb.free(denom);
  } else if (!fused && (setup.optimizer === "adamw" || setup.optimizer === "lion")) {
    const live = trainable.map((p) => temp(elements(p), p.stateDtype ?? plan.state, p.name, "foreach_sqrt"));
    for (const id of live) tb.free(id);
  } else if (setup.optimizer === "adafactor") {
    for (const p of trainable) {
      const ids = ["grad", "update", "param"].map((what) => temp(p.elements, "float32", p.name, `adafactor_${what}_fp32`));
      for (const id of ids) tb.free(id);
    }
  }
  graph.params.forEach((p, i) => {
    if (paramGrad[i] >= 0) tb.free(paramGrad[i]);
  });
}
