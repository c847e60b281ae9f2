import type { TrainingSetup } from "../modelSpec.js";
import { halfDtype, type SimDtype } from "./dtype.js";

/**
 * What each precision policy stores, in what type (DESIGN.md, "Precision policies").
 * - `fp32`: fp32 weights, grads, states, activations.
 * - `amp`: fp32 weights, grads and states; activations in 16-bit; matmuls read 16-bit copies of the
 *   weights made by autocast (PyTorch `torch.autocast` casts weights per op and saves the cast copy
 *   for backward).
 * - `mixed`: 16-bit weights and grads, fp32 master copy and states (ZeRO, Rajbhandari et al. 2020).
 * - `mixed-fp32-grads`: 16-bit weights, fp32 grads, fp32 master and states (Megatron-LM `main_grad`).
 * - `bf16-pure`: everything in 16-bit, states too.
 */
export interface PrecisionPlan {
  weight: SimDtype;
  grad: SimDtype;
  /** fp32 master copy of trainable weights, or null. */
  master: SimDtype | null;
  /** Optimizer state type. */
  state: SimDtype;
  activation: SimDtype;
  /** Matmuls read autocast 16-bit copies of fp32 weights. */
  autocast: boolean;
}

export function precisionPlan(setup: Pick<TrainingSetup, "precision" | "dtype" | "method">): PrecisionPlan {
  const half = halfDtype(setup.dtype);
  // QLoRA trains 16-bit adapters: their gradients are 16-bit under every policy (as the estimator counts them).
  if (setup.method === "qlora") return { ...basePlan(setup.precision, half), grad: half };
  return basePlan(setup.precision, half);
}

function basePlan(precision: TrainingSetup["precision"], half: SimDtype): PrecisionPlan {
  const setup = { precision };
  switch (setup.precision) {
    case "fp32":
      return { weight: "float32", grad: "float32", master: null, state: "float32", activation: "float32", autocast: false };
    case "amp":
      return { weight: "float32", grad: "float32", master: null, state: "float32", activation: half, autocast: true };
    case "mixed":
      return { weight: half, grad: half, master: "float32", state: "float32", activation: half, autocast: false };
    case "mixed-fp32-grads":
      return { weight: half, grad: "float32", master: "float32", state: "float32", activation: half, autocast: false };
    case "bf16-pure":
      return { weight: half, grad: half, master: null, state: half, activation: half, autocast: false };
    default:
      throw new Error(
        `simulateStep: unknown precision ${JSON.stringify(setup.precision)}; accepted: fp32, amp, mixed, mixed-fp32-grads, bf16-pure`,
      );
  }
}
