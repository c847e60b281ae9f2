import type { TrainingSetup } from "./modelSpec.js";
import type { ParameterGroup } from "./parameterGroups.js";
import { precisionBytes } from "./precisionBytes.js";
import { EIGHT_BIT_BLOCK, EIGHT_BIT_MIN_SIZE, NF4_DOUBLE_QUANT_BITS, nf4Bytes } from "./quantization.js";
import { term, type Term } from "./term.js";

/** Weights, gradients and optimizer state of one GPU (bytes), with the step's optimizer temporary. */
export interface ModelStates {
  /** Parameters held by this GPU before ZeRO sharding (elements). */
  params: number;
  trainableParams: number;
  weights: Term;
  gradients: Term;
  optimizer: Term & { master: number; states: number };
  /** Largest temporary the optimizer step allocates (bytes). */
  optimizerTemporary: Term;
}

const MASTER: Record<number, string> = { 0: "0 B", 4: "4 B" };
const ZERO = "Rajbhandari et al. 2020 (ZeRO), sec. 5: P_os shards optimizer states, P_g gradients, P_p parameters over N_d";

/**
 * Whether the optimizer step runs as a fused kernel without temporaries: DeepSpeed (FusedAdam) and
 * Megatron-LM (apex FusedAdam) for the `mixed` policies; plain PyTorch (`torch.optim.AdamW`, foreach
 * on CUDA) otherwise.
 */
export function defaultFused(setup: TrainingSetup): boolean {
  return setup.precision === "mixed" || setup.precision === "mixed-fp32-grads";
}

/** Bytes per GPU once ZeRO stage >= `stage` shards them over dp ranks. */
function shardBytes(setup: TrainingSetup, bytes: number, stage: number): number {
  return setup.zero >= stage && setup.dp > 1 ? Math.ceil(bytes / setup.dp) : bytes;
}

function overText(setup: TrainingSetup, stage: number): string {
  return setup.zero >= stage && setup.dp > 1 ? " / N_d" : "";
}

/** Optimizer state elements-in-bytes for one tensor (no master copy). */
function stateBytes(g: ParameterGroup, setup: TrainingSetup, state: number): number {
  const e = g.elements;
  switch (setup.optimizer) {
    case "adamw":
      return 2 * state * e;
    case "adamw-8bit":
      // Small tensors stay 32-bit in bitsandbytes (min_8bit_size).
      return e < EIGHT_BIT_MIN_SIZE ? 2 * 4 * e : 2 * (e + 4 * Math.ceil(e / EIGHT_BIT_BLOCK));
    case "sgd":
      return 0;
    case "sgd-momentum":
    case "lion":
      return state * e;
    case "adafactor":
      // Factored second moment for matrices (row + column statistics), full for vectors; no first moment (beta1 = None).
      return g.shape.length >= 2 ? state * (g.shape[0] + g.shape.slice(1).reduce((a, b) => a * b, 1)) : state * e;
  }
}

const OPTIMIZER_SOURCE: Record<TrainingSetup["optimizer"], string> = {
  adamw: "Loshchilov & Hutter 2019 (AdamW): two states m, v per parameter",
  "adamw-8bit": "Dettmers et al. 2022 (8-bit optimizers); bitsandbytes optimizer.py: 1 byte/state + fp32 absmax per 2048, tensors < 4096 elements 32-bit",
  sgd: "plain SGD keeps no state",
  "sgd-momentum": "SGD with momentum: one momentum buffer per parameter",
  adafactor: "Shazeer & Stern 2018 (Adafactor): factored second moments (rows + columns) for matrices, no first moment",
  lion: "Chen et al. 2023 (Lion): one momentum state per parameter",
};

/**
 * Weights, gradients and optimizer state for the parameter groups one GPU holds, under the setup's
 * precision policy (DESIGN.md table), method (LoRA: only adapters train; QLoRA: NF4 base at
 * 4.127 bits/param, adapters 16-bit), optimizer, and ZeRO stage over `dp` ranks.
 */
export function modelStates(groups: readonly ParameterGroup[], setup: TrainingSetup, options: { fusedOptimizer?: boolean } = {}): ModelStates {
  const fused = options.fusedOptimizer ?? defaultFused(setup);
  const p = precisionBytes(setup.precision);
  const qlora = setup.method === "qlora";
  const adapterWeight = qlora ? 2 : p.weight;
  const gradBytes = qlora ? 2 : p.gradient;
  let params = 0, trainable = 0, weights = 0, grads = 0, master = 0, states = 0, largest = 0, stateElems = 0;
  for (const g of groups) {
    const n = g.elements * g.count;
    params += g.adapter ? 0 : n;
    if (g.quantized) weights += nf4Bytes(g.elements) * g.count;
    else if (g.trainable) weights += n * (g.adapter ? adapterWeight : p.weight);
    else weights += n * (qlora ? 2 : p.frozenWeight);
    if (!g.trainable) continue;
    trainable += n;
    grads += n * gradBytes;
    master += n * p.master;
    states += stateBytes(g, setup, p.state) * g.count;
    stateElems += n;
    largest = Math.max(largest, g.elements);
  }
  weights = Math.ceil(weights);
  const wTerm = term(
    shardBytes(setup, weights, 3),
    `${qlora ? `NF4 ${NF4_DOUBLE_QUANT_BITS} bits × quantized linears + 2 B × rest` : setup.method === "lora" ? `${p.frozenWeight} B × frozen + ${adapterWeight} B × adapters` : `${p.weight} B × params`}${overText(setup, 3)}`,
    qlora ? "Dettmers et al. 2023 (QLoRA), NF4 with double quantization" : `precision policy ${setup.precision} (@hbmscope/model precisionBytes)${overText(setup, 3) ? `; ${ZERO}` : ""}`,
  );
  const gTerm = term(shardBytes(setup, grads, 2), `${gradBytes} B × trainable${overText(setup, 2)}`, `precision policy ${setup.precision} (@hbmscope/model precisionBytes)${overText(setup, 2) ? `; ${ZERO}` : ""}`);
  const optimizer = shardBytes(setup, master + states, 1);
  const oTerm = {
    bytes: optimizer,
    formula: `master ${MASTER[p.master]} × trainable + ${setup.optimizer} states${overText(setup, 1)}`,
    source: `${OPTIMIZER_SOURCE[setup.optimizer]}; precision policy ${setup.precision}${overText(setup, 1) ? `; ${ZERO}` : ""}`,
    master: shardBytes(setup, master, 1),
    states: shardBytes(setup, states, 1),
  };
  let temp = 0;
  let tempFormula = "0";
  if (fused && (setup.optimizer === "adamw" || setup.optimizer === "lion")) {
    tempFormula = "0 (fused kernel)";
  } else if (setup.optimizer === "adamw" || setup.optimizer === "lion") {
    // torch.optim.AdamW foreach path (_multi_tensor_adamw: torch._foreach_sqrt(exp_avg_sqs)) and lion-pytorch's
    // exp_avg.clone(): one state-sized temporary over the whole (sharded) parameter group.
    temp = shardBytes(setup, stateElems * p.state, 1);
    tempFormula = `${p.state} B × trainable${overText(setup, 1)} (one state-sized buffer)`;
  } else if (setup.optimizer === "adafactor") {
    // transformers Adafactor: per tensor, fp32 copies of grad, update and parameter.
    temp = 3 * 4 * largest;
    tempFormula = "3 × 4 B × largest tensor";
  }
  return {
    params,
    trainableParams: trainable,
    weights: wTerm,
    gradients: gTerm,
    optimizer: oTerm,
    optimizerTemporary: term(temp, tempFormula, "torch/optim/adamw.py _multi_tensor_adamw (foreach); transformers Adafactor.step; fused kernels (DeepSpeed/apex FusedAdam, bitsandbytes 8-bit) need none"),
  };
}

/**
 * Model states of a model known only by its size (`--params 4e9`): weights, gradients and optimizer
 * state per GPU. Activations need the architecture. LoRA and QLoRA need `trainableParams`; with a
 * single tensor standing for the model, the 8-bit small-tensor rule and Adafactor factoring cannot apply.
 */
export function modelStatesFromParams(params: number, setup: TrainingSetup, options: { trainableParams?: number; fusedOptimizer?: boolean } = {}): ModelStates {
  if (!Number.isFinite(params) || params <= 0) throw new Error(`modelStatesFromParams: params must be a positive number, got ${String(params)}`);
  if (setup.optimizer === "adafactor") throw new Error("modelStatesFromParams: adafactor factors each matrix by its shape; give the architecture (a preset or config.json)");
  const groups: ParameterGroup[] = [];
  const base = { count: 1, adapter: false, quantized: setup.method === "qlora" };
  groups.push({ ...base, name: "params", elements: Math.round(params), shape: [Math.round(params)], trainable: setup.method === "full" });
  if (setup.method !== "full") {
    const t = options.trainableParams;
    if (t === undefined || !Number.isFinite(t) || t <= 0) {
      throw new Error(`modelStatesFromParams: method ${setup.method} trains adapters whose size depends on the architecture; give trainableParams (a positive number)`);
    }
    groups.push({ name: "adapters", elements: Math.round(t), shape: [Math.round(t)], count: 1, trainable: true, quantized: false, adapter: true });
  }
  return modelStates(groups, setup, options);
}
