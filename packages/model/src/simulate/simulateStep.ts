import { traceBuilder, type Trace } from "@hbmscope/core";
import type { ModelSpec, TrainingSetup } from "../modelSpec.js";
import { eagerGraph } from "./eagerGraph.js";
import { hfGraph } from "./hfGraph.js";
import { programOf } from "./programOf.js";
import { runEager } from "./eagerSemantics.js";
import { precisionPlan } from "./precisionPlan.js";
import { runTfjs } from "./tfjsSemantics.js";
import { validateSimulation } from "./validateSimulation.js";

export interface SimulateOptions {
  /**
   * Whose memory rules to follow: `eager` (PyTorch autograd: saved tensors leave layer by layer) or
   * `tfjs` (the TensorFlow.js engine: saved tensors and activation gradients stay until backward ends).
   * @defaultValue `"eager"`
   */
  semantics?: "tfjs" | "eager";
  /** tfjs backend: `cpu` shares a saved tensor's buffer, `wasm` copies it. @defaultValue `"wasm"` */
  backend?: "cpu" | "wasm";
  /** `train`: forward, backward and optimizer; `forward`: the forward pass only. @defaultValue `"train"` */
  mode?: "train" | "forward";
}

/**
 * The trace of one training step (or forward pass) of `model` under `setup`, generated without running
 * it: every buffer with its bytes, dtype, shape, op, scope, phase and category, allocs and frees in
 * order, phase marks (`setup`, `forward`, `backward`, `optimizer`) and layer marks (`layer<i>`,
 * `kind: "layer"`). Sizes in bytes, per rank (tensor/sequence-parallel shards, ZeRO partitions).
 * The rules of each semantics are listed in docs/simulator.md.
 */
export function simulateStep(model: ModelSpec, setup: TrainingSetup, options: SimulateOptions = {}): Trace {
  const semantics = options.semantics ?? "eager";
  const backend = options.backend ?? "wasm";
  const mode = options.mode ?? "train";
  validateSimulation(model, setup, { semantics, backend, mode });
  const training = mode === "train";
  const plan = precisionPlan(setup);
  const program = programOf(setup);
  const meta = {
    source: "simulated",
    semantics,
    mode,
    ...(semantics === "tfjs" ? { backend } : { program: { implementation: program.implementation, device: program.device, loop: program.loop, useCache: program.useCache } }),
    ...(semantics === "eager" && program.notes.length > 0 ? { notes: program.notes } : {}),
    model,
    setup,
  };
  const tb = traceBuilder(meta);
  if (semantics === "eager") {
    const graph = program.implementation === "hf" ? hfGraph(model, setup, plan, training, program) : eagerGraph(model, setup, plan, training);
    runEager(graph, plan, setup, tb, training);
  } else {
    runTfjs(model, setup, tb, { training, backend });
  }
  return tb.build();
}
