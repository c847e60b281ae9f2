import type { TraceBuilder } from "@hbmscope/core";
import type { TrainingSetup } from "../modelSpec.js";
import { tensorBytes } from "./dtype.js";
import { eagerPass } from "./eagerPass.js";
import type { PrecisionPlan } from "./precisionPlan.js";
import type { StepGraph } from "./stepGraph.js";
import { allocModelStates, runOptimizer } from "./stepStates.js";
import { zero3Gatherer } from "./zero3Gatherer.js";

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
 * The forward and backward of one microbatch are `eagerPass`; this is one step of one microbatch.
 */
export function runEager(graph: StepGraph, plan: PrecisionPlan, setup: TrainingSetup, tb: TraceBuilder, training: boolean): void {
  tb.mark("setup", "phase");
  const states = allocModelStates(graph, plan, setup, tb, training);
  const paramGrad = new Int32Array(graph.params.length).fill(-1);
  const pass = eagerPass(graph, plan, setup, tb, training, { weightBuffer: states.weightBuffer, paramGrad, gathered: zero3Gatherer(graph, setup, tb, plan) });
  pass.allocInputs("setup");
  const carried = (graph.loop?.carried ?? []).map((c) =>
    tb.alloc({ bytes: tensorBytes(c.shape, c.dtype), category: c.category, dtype: c.dtype, shape: c.shape, op: c.op, scope: c.scope, phase: "setup" }),
  );
  const keepOutputs = graph.loop?.keepOutputs ?? false;

  tb.mark("forward", "phase");
  pass.forward();
  // `out = model(**batch)` rebinds `out` when the forward pass returns: the previous step's goes.
  for (const id of carried) tb.free(id);
  if (!training) {
    if (!keepOutputs) pass.releaseKept();
    return;
  }

  tb.mark("backward", "phase");
  pass.backward();

  tb.mark("optimizer", "phase");
  runOptimizer(graph, plan, setup, tb, paramGrad);
}
