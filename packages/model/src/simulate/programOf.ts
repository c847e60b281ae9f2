import type { TrainingSetup } from "../modelSpec.js";

/** The program a simulation models, with every default resolved, and why it differs from what was asked. */
export interface ResolvedProgram {
  implementation: "hf" | "fused";
  device: "cuda" | "cpu";
  loop: "keep-output" | "drop-output";
  useCache: boolean;
  /** Why the implementation modelled is not the one asked for (empty when it is). */
  notes: string[];
}

/**
 * Resolves `implementation`, `device`, `loop` and `useCache` of a setup (defaults: `hf`, `cuda`,
 * `keep-output`, `true`). The `hf` profile covers what Hugging Face transformers + PEFT run: it
 * falls back to `fused`, with a note, for QLoRA (bitsandbytes kernels), selective checkpointing,
 * tensor/sequence and pipeline parallelism and ZeRO-3, which it does not model yet.
 */
export function programOf(setup: TrainingSetup): ResolvedProgram {
  const device = setup.device ?? "cuda";
  const loop = setup.loop ?? "keep-output";
  const useCache = setup.useCache ?? true;
  const notes: string[] = [];
  let implementation = setup.implementation ?? "hf";
  if (implementation === "hf") {
    const unmodelled = [
      setup.method === "qlora" ? "QLoRA (bitsandbytes 4-bit layers)" : "",
      setup.checkpointing === "selective" ? "selective checkpointing" : "",
      setup.tp > 1 ? "tensor parallelism" : "",
      setup.pp > 1 ? "pipeline parallelism" : "",
      setup.zero === 3 && setup.dp > 1 ? "ZeRO-3" : "",
      setup.attention === "chunked" || setup.attention === "chunked-recompute" ? `attention ${setup.attention}` : "",
    ].filter(Boolean);
    if (unmodelled.length > 0) {
      implementation = "fused";
      notes.push(`implementation hf does not model ${unmodelled.join(", ")} yet: simulated with implementation fused (fused kernels' rules), which may under-estimate a Hugging Face run`);
    }
  }
  return { implementation, device, loop, useCache, notes };
}
