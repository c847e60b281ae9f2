import type { PrecisionPolicy } from "./modelSpec.js";

/** Bytes per element of each kind of state under a precision policy. */
export interface PrecisionBytes {
  /** Trainable weights as the model holds them. */
  weight: number;
  /** Frozen base weights (LoRA): never need more than the compute copy. */
  frozenWeight: number;
  gradient: number;
  /** fp32 master copy kept by the optimizer (0 when the weights themselves are fp32 or pure 16-bit). */
  master: number;
  /** One optimizer state element (AdamW's m or v). */
  state: number;
  /** Activations saved for backward. */
  activation: number;
}

const TABLE: Record<PrecisionPolicy, PrecisionBytes> = {
  fp32: { weight: 4, frozenWeight: 4, gradient: 4, master: 0, state: 4, activation: 4 },
  // PyTorch autocast: fp32 parameters and gradients, 16-bit matmul outputs saved for backward.
  amp: { weight: 4, frozenWeight: 4, gradient: 4, master: 0, state: 4, activation: 2 },
  // ZeRO (Rajbhandari et al. 2020, sec. 3.1): 2Ψ + 2Ψ + KΨ with K = 12 (fp32 master, m, v).
  mixed: { weight: 2, frozenWeight: 2, gradient: 2, master: 4, state: 4, activation: 2 },
  // Megatron-LM: 16-bit weights, fp32 main gradients, fp32 master and states: 2 + 4 + 12 = 18.
  "mixed-fp32-grads": { weight: 2, frozenWeight: 2, gradient: 4, master: 4, state: 4, activation: 2 },
  // The seed article: weights, gradients and AdamW states all bf16: 2 + 2 + 4 = 8.
  "bf16-pure": { weight: 2, frozenWeight: 2, gradient: 2, master: 0, state: 2, activation: 2 },
};

/** The precision policies (bytes per parameter in the package README, "precisionBytes"). */
export const PRECISION_POLICIES = Object.keys(TABLE) as PrecisionPolicy[];

/** Bytes per element of weights, gradients, master copy, optimizer states and activations under a policy (the table in the package README). */
export function precisionBytes(policy: PrecisionPolicy): PrecisionBytes {
  const p = TABLE[policy];
  if (!p) throw new Error(`precision: unknown policy ${JSON.stringify(policy)}; accepted: ${PRECISION_POLICIES.join(", ")}`);
  return p;
}
