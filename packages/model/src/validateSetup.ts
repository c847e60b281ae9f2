import type { ModelSpec, TrainingSetup } from "./modelSpec.js";
import { setupChoices } from "./setupChoices.js";
import { modelTensors } from "./modelTensors.js";

const positiveInts = ["batch", "seq", "loraRank", "blockSize", "dp", "tp", "pp"] as const;

function fail(message: string): never {
  throw new Error(`setup: ${message}`);
}

/**
 * Checks a setup (and, with a model, that it fits the model) and throws an Error naming the field,
 * the value and the accepted values: positive integers (NaN rejected), known enum values, heads
 * divisible by tp, kv heads divisible by tp (or tp by kv heads), pp <= layers, LoRA targets that the
 * model has, seq within learned position embeddings, a LoRA rank at most the smaller dimension of
 * every adapted layer. Returns the setup.
 */
export function validateSetup(model: ModelSpec | undefined, setup: TrainingSetup): TrainingSetup {
  if (setup === null || typeof setup !== "object") fail(`expected a TrainingSetup object, got ${String(setup)}`);
  for (const k of positiveInts) {
    const v = setup[k];
    if (!Number.isSafeInteger(v) || v < 1) fail(`${k} must be a positive integer, got ${String(v)}`);
  }
  for (const k of ["precision", "dtype", "method", "optimizer", "checkpointing", "attention", "zero"] as const) {
    const accepted = setupChoices[k] as readonly unknown[];
    if (!accepted.includes(setup[k])) fail(`${k} ${JSON.stringify(setup[k])} is not one of ${accepted.join(", ")}`);
  }
  for (const k of ["implementation", "device", "loop"] as const) {
    const accepted = setupChoices[k] as readonly unknown[];
    if (setup[k] !== undefined && !accepted.includes(setup[k])) fail(`${k} ${JSON.stringify(setup[k])} is not one of ${accepted.join(", ")}`);
  }
  for (const k of ["useCache", "inputRequiresGrad"] as const) {
    if (setup[k] !== undefined && typeof setup[k] !== "boolean") fail(`${k} must be true or false, got ${String(setup[k])}`);
  }
  if (typeof setup.sp !== "boolean") fail(`sp must be true or false, got ${String(setup.sp)}`);
  if (setup.microbatchesInFlight !== undefined && (!Number.isSafeInteger(setup.microbatchesInFlight) || setup.microbatchesInFlight < 1)) {
    fail(`microbatchesInFlight must be a positive integer, got ${String(setup.microbatchesInFlight)}`);
  }
  if (!Array.isArray(setup.loraTargets)) fail(`loraTargets must be an array of ${setupChoices.loraTargets.join(", ")}`);
  if (setup.method !== "full") {
    if (setup.loraTargets.length === 0) fail(`loraTargets is empty; ${setup.method} needs at least one of ${setupChoices.loraTargets.join(", ")}`);
    for (const t of setup.loraTargets) {
      if (!setupChoices.loraTargets.includes(t)) fail(`loraTargets has ${JSON.stringify(t)}; accepted: ${setupChoices.loraTargets.join(", ")}`);
    }
  }
  if (!model) return setup;
  if (model.heads % setup.tp !== 0) fail(`tp ${setup.tp} must divide the ${model.heads} attention heads of ${model.name}`);
  if (model.kvHeads % setup.tp !== 0 && setup.tp % model.kvHeads !== 0) {
    fail(`tp ${setup.tp} and the ${model.kvHeads} key/value heads of ${model.name} must divide one another`);
  }
  if (setup.pp > model.layers) fail(`pp ${setup.pp} is more than the ${model.layers} layers of ${model.name}`);
  if (model.positionEmbeddings > 0 && setup.seq > model.positionEmbeddings) {
    fail(`seq ${setup.seq} exceeds the ${model.positionEmbeddings} learned positions of ${model.name}`);
  }
  if (setup.method !== "full" && model.activation === "gelu" && setup.loraTargets.includes("gate")) {
    fail(`loraTargets has "gate" but ${model.name} has a GELU MLP (up, down) without a gate`);
  }
  if (setup.method !== "full") {
    // A rank above min(in, out) of an adapted layer adds parameters without adding rank (Hu et al.
    // 2021, LoRA, section 4: the update BA has rank at most min(r, in, out)); PEFT accepts it, but no
    // one means it, and the estimate's terms stop making sense.
    let smallest: { module: string; dim: number } | undefined;
    for (const t of modelTensors(model)) {
      if (t.kind !== "weight" || !setup.loraTargets.includes(t.module as (typeof setupChoices.loraTargets)[number])) continue;
      const dim = Math.min(...t.shape);
      if (!smallest || dim < smallest.dim) smallest = { module: t.module, dim };
    }
    if (smallest && setup.loraRank > smallest.dim) {
      fail(`loraRank ${setup.loraRank} is above ${smallest.dim}, the smaller dimension of the adapted ${smallest.module} layer of ${model.name}; ranks 1 to ${smallest.dim} are accepted here`);
    }
  }
  return setup;
}
