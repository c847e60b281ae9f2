import type { ModelSpec, TrainingSetup } from "../modelSpec.js";

const positiveInt = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v > 0;

/** Throws a clear error naming the field, the value and what is accepted. */
export function validateSimulation(
  model: ModelSpec,
  setup: TrainingSetup,
  options: { semantics: string; backend: string; mode: string },
): void {
  const fail = (msg: string): never => {
    throw new Error(`simulateStep: ${msg}`);
  };
  if (!["eager", "tfjs"].includes(options.semantics)) fail(`unknown semantics ${JSON.stringify(options.semantics)}; accepted: tfjs, eager`);
  if (!["cpu", "wasm"].includes(options.backend)) fail(`unknown backend ${JSON.stringify(options.backend)}; accepted: cpu, wasm`);
  if (!["train", "forward"].includes(options.mode)) fail(`unknown mode ${JSON.stringify(options.mode)}; accepted: train, forward`);
  for (const k of ["layers", "hidden", "heads", "kvHeads", "ffn", "vocab"] as const) {
    if (!positiveInt(model[k])) fail(`model.${k} must be a positive integer, got ${JSON.stringify(model[k])}`);
  }
  for (const k of ["batch", "seq", "dp", "tp", "pp"] as const) {
    if (!positiveInt(setup[k])) fail(`setup.${k} must be a positive integer, got ${JSON.stringify(setup[k])}`);
  }
  if (model.headDim === undefined && model.hidden % model.heads !== 0) fail(`model.heads (${model.heads}) must divide model.hidden (${model.hidden})`);
  if (model.heads % model.kvHeads !== 0) fail(`model.kvHeads (${model.kvHeads}) must divide model.heads (${model.heads})`);
  if (model.heads % setup.tp !== 0) fail(`setup.tp (${setup.tp}) must divide model.heads (${model.heads})`);
  if (setup.sp && setup.tp > 1 && setup.seq % setup.tp !== 0) fail(`with sequence parallel, setup.tp (${setup.tp}) must divide setup.seq (${setup.seq})`);
  if (setup.pp !== 1) fail(`pipeline parallel (pp = ${setup.pp}) is simulated per stage by simulatePipeline (CLI: simulate --pp N --schedule ...), not simulateStep; use pp = 1 here`);
  if (![0, 1, 2, 3].includes(setup.zero)) fail(`setup.zero must be 0, 1, 2 or 3, got ${JSON.stringify(setup.zero)}`);
  if (setup.method !== "full" && !positiveInt(setup.loraRank)) fail(`setup.loraRank must be a positive integer, got ${JSON.stringify(setup.loraRank)}`);
  if (!["naive", "chunked", "chunked-recompute", "flash", "sdpa"].includes(setup.attention)) {
    fail(`unknown attention ${JSON.stringify(setup.attention)}; accepted: naive, chunked, chunked-recompute, flash, sdpa`);
  }
  const implementation = setup.implementation ?? "hf";
  if (!["hf", "fused"].includes(implementation)) fail(`unknown implementation ${JSON.stringify(implementation)}; accepted: hf, fused`);
  if (!["cuda", "cpu"].includes(setup.device ?? "cuda")) fail(`unknown device ${JSON.stringify(setup.device)}; accepted: cuda, cpu`);
  if (!["keep-output", "drop-output"].includes(setup.loop ?? "keep-output")) fail(`unknown loop ${JSON.stringify(setup.loop)}; accepted: keep-output, drop-output`);

  if (setup.attention !== "naive" && !positiveInt(setup.blockSize)) fail(`setup.blockSize must be a positive integer, got ${JSON.stringify(setup.blockSize)}`);
  if (!["none", "selective", "full"].includes(setup.checkpointing)) fail(`unknown checkpointing ${JSON.stringify(setup.checkpointing)}; accepted: none, selective, full`);
  if (!["full", "lora", "qlora"].includes(setup.method)) fail(`unknown method ${JSON.stringify(setup.method)}; accepted: full, lora, qlora`);
  if (options.semantics === "tfjs") {
    // The tfjs step (`@hbmscope/tfjs` transformerStep) computes in float32 on one device: GELU MLP,
    // multi-head attention, full fine-tuning, no checkpointing.
    const tfjs = (what: string) => fail(`tfjs semantics simulate @hbmscope/tfjs's transformerStep, which has ${what}; use eager semantics`);
    if (setup.precision !== "fp32") tfjs(`float32 only (precision fp32), not ${JSON.stringify(setup.precision)}`);
    if (setup.attention === "sdpa") tfjs("no PyTorch SDPA (its flash variant is attention flash)");
    if (setup.method !== "full") tfjs(`no LoRA (method full), not ${JSON.stringify(setup.method)}`);
    if (setup.checkpointing !== "none") tfjs(`no activation checkpointing (checkpointing none), not ${JSON.stringify(setup.checkpointing)}`);
    if (setup.tp * setup.dp > 1) tfjs("one device (tp = 1, dp = 1)");
    if (model.activation !== "gelu") tfjs(`a GELU MLP, not ${JSON.stringify(model.activation)}`);
    if (model.kvHeads !== model.heads) tfjs(`multi-head attention (kvHeads = heads), not kvHeads ${model.kvHeads}`);
    if (model.headDim !== undefined && model.headDim * model.heads !== model.hidden) tfjs("headDim = hidden / heads");
    if (setup.optimizer !== "adamw") tfjs(`a per-variable AdamW (optimizer adamw), not ${JSON.stringify(setup.optimizer)}`);
  }
}
