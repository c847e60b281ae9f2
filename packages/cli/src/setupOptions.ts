import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { defaultSetup, modelFromHfConfig, preset, setupChoices, validateSetup, withSetup, type ModelSpec, type TrainingSetup } from "@hbmscope/model";
import { intArg } from "./args.js";
import { inFlightMicrobatches, PIPELINE_SCHEDULES, type PipelineScheduleName } from "@hbmscope/model";
import { CliError } from "./cliError.js";

/** The parsed setup flags (commander's camel-cased option names). */
export interface SetupFlags {
  method?: TrainingSetup["method"];
  precision?: TrainingSetup["precision"];
  dtype?: TrainingSetup["dtype"];
  optimizer?: TrainingSetup["optimizer"];
  batch?: number;
  seq?: number;
  checkpointing?: TrainingSetup["checkpointing"];
  attention?: TrainingSetup["attention"];
  loraRank?: number;
  loraTargets?: string[];
  dp?: number;
  tp?: number;
  pp?: number;
  sp?: boolean;
  zero?: string;
  microbatches?: number;
  schedule?: PipelineScheduleName;
  schedules?: PipelineScheduleName[];
  virtualStages?: number;
  implementation?: NonNullable<TrainingSetup["implementation"]>;
  device?: NonNullable<TrainingSetup["device"]>;
  loop?: NonNullable<TrainingSetup["loop"]>;
  useCache?: "on" | "off";
  inputRequireGrads?: boolean;
  blockSize?: number;
}

/** The setup field each flag sets, for turning a setup change back into flags (`--lora-rank`). */
export const setupFlagNames: Readonly<Partial<Record<keyof TrainingSetup, string>>> = Object.freeze({
  method: "--method", precision: "--precision", dtype: "--dtype", optimizer: "--optimizer", batch: "--batch", seq: "--seq",
  checkpointing: "--checkpointing", attention: "--attention", loraRank: "--lora-rank", loraTargets: "--lora-targets",
  dp: "--dp", tp: "--tp", pp: "--pp", sp: "--sp", zero: "--zero", microbatchesInFlight: "--microbatches", blockSize: "--block-size",
  implementation: "--implementation", device: "--device", loop: "--loop", useCache: "--use-cache", inputRequiresGrad: "--input-require-grads",
});

function schedulesArg(value: string): PipelineScheduleName[] {
  const list = value.split(",").map((v) => v.trim()).filter(Boolean);
  for (const t of list) {
    if (!PIPELINE_SCHEDULES.includes(t as PipelineScheduleName)) throw new InvalidArgumentError(`--schedules takes a comma-separated list of ${PIPELINE_SCHEDULES.join(", ")}, got ${JSON.stringify(t)}`);
  }
  if (list.length === 0) throw new InvalidArgumentError(`--schedules needs at least one of ${PIPELINE_SCHEDULES.join(", ")}`);
  return [...new Set(list)] as PipelineScheduleName[];
}

function targetsArg(value: string): string[] {
  const list = value.split(",").map((v) => v.trim()).filter(Boolean);
  for (const t of list) {
    if (!setupChoices.loraTargets.includes(t)) {
      throw new InvalidArgumentError(`--lora-targets takes a comma-separated list of ${setupChoices.loraTargets.join(", ")}, got ${JSON.stringify(t)}`);
    }
  }
  if (list.length === 0) throw new InvalidArgumentError(`--lora-targets needs at least one of ${setupChoices.loraTargets.join(", ")}`);
  return list;
}

/**
 * Adds the setup flags of DESIGN.md to a command (`--method --precision --dtype --optimizer --batch
 * --seq --checkpointing --attention --lora-rank --lora-targets --dp --tp --pp --sp --zero
 * --microbatches --schedule --schedules --virtual-stages`); defaults are `defaultSetup`'s. Shared by `estimate` and `simulate`.
 */
export function addSetupOptions(cmd: Command): Command {
  const d = defaultSetup;
  return cmd
    .addOption(new Option("--method <method>", "full fine-tuning, LoRA, or QLoRA (NF4 base)").choices(setupChoices.method).default(d.method))
    .addOption(new Option("--precision <policy>", "precision policy (bytes per parameter: @hbmscope/model README, precisionBytes)").choices(setupChoices.precision).default(d.precision))
    .addOption(new Option("--dtype <dtype>", "the 16-bit type").choices(setupChoices.dtype).default(d.dtype))
    .addOption(new Option("--optimizer <name>", "optimizer").choices(setupChoices.optimizer).default(d.optimizer))
    .option("--batch <n>", "micro-batch per GPU (sequences)", intArg("--batch", 1, 2 ** 20), d.batch)
    .option("--seq <n>", "sequence length (tokens)", intArg("--seq", 1, 2 ** 24), d.seq)
    .addOption(new Option("--checkpointing <mode>", "activation checkpointing").choices(setupChoices.checkpointing).default(d.checkpointing))
    .addOption(new Option("--attention <kind>", "attention implementation").choices(setupChoices.attention).default(d.attention))
    .option("--block-size <n>", "query/key block of chunked and flash attention, as in profile", intArg("--block-size", 1, 2 ** 20), d.blockSize)
    .option("--lora-rank <r>", "LoRA rank", intArg("--lora-rank", 1, 2 ** 20), d.loraRank)
    .option("--lora-targets <list>", `modules with adapters (${setupChoices.loraTargets.join(",")})`, targetsArg, [...d.loraTargets])
    .option("--dp <n>", "data-parallel degree", intArg("--dp", 1, 2 ** 20), d.dp)
    .option("--tp <n>", "tensor-parallel degree", intArg("--tp", 1, 2 ** 16), d.tp)
    .option("--pp <n>", "pipeline-parallel degree", intArg("--pp", 1, 2 ** 16), d.pp)
    .option("--sp", "sequence parallelism (with --tp)", d.sp)
    .addOption(new Option("--zero <stage>", "ZeRO stage over the data-parallel group (3 = FSDP)").choices(["0", "1", "2", "3"]).default(String(d.zero)))
    .option("--microbatches <n>", "microbatches per training step, pipeline only (default: pp); the schedule sets how many are in flight", intArg("--microbatches", 1, 2 ** 20))
    .addOption(new Option("--schedule <name>", "pipeline schedule: gpipe (all forwards, then all backwards), 1f1b, interleaved (1F1B with --virtual-stages chunks per GPU)").choices(PIPELINE_SCHEDULES).default("1f1b"))
    .option("--schedules <list>", `several pipeline schedules in one run, comma-separated (${PIPELINE_SCHEDULES.join(",")}): one chart, stages stacked per schedule`, schedulesArg)
    .option("--virtual-stages <v>", "model chunks per GPU of the interleaved schedule (default: 2); pp × v must divide the layers", intArg("--virtual-stages", 1, 2 ** 10))
    .addOption(new Option("--implementation <profile>", "whose code runs the step: hf (Hugging Face transformers + PEFT as written) or fused (fused kernels: Megatron-LM, Liger, flash-attn)").choices(setupChoices.implementation).default("hf"))
    .addOption(new Option("--device <device>", "where PyTorch runs (dropout masks, the optimizer's default path)").choices(setupChoices.device).default("cuda"))
    .addOption(new Option("--loop <loop>", "keep-output: `out = model(**batch)` keeps the previous step's out into the next forward; drop-output: `del out` after backward (hf only)").choices(setupChoices.loop).default("keep-output"))
    .addOption(new Option("--use-cache <on|off>", "use_cache of the forward call (Hugging Face's config default: on, also in training; hf only)").choices(["on", "off"]).default("on"))
    .option("--input-require-grads", "model.enable_input_require_grads() was called (PEFT's prepare_model_for_kbit_training does; checkpointing implies it): a frozen first layer saves for backward (hf only)");
}

/** A frozen, validated TrainingSetup from the parsed flags; a bad combination becomes a one-line CliError. */
export function setupFromFlags(flags: SetupFlags, model?: ModelSpec): TrainingSetup {
  let setup: TrainingSetup;
  try {
    setup = withSetup(defaultSetup, (s) => {
      if (flags.method !== undefined) s.method = flags.method;
      if (flags.precision !== undefined) s.precision = flags.precision;
      if (flags.dtype !== undefined) s.dtype = flags.dtype;
      if (flags.optimizer !== undefined) s.optimizer = flags.optimizer;
      if (flags.batch !== undefined) s.batch = flags.batch;
      if (flags.seq !== undefined) s.seq = flags.seq;
      if (flags.checkpointing !== undefined) s.checkpointing = flags.checkpointing;
      if (flags.attention !== undefined) s.attention = flags.attention;
      if (flags.blockSize !== undefined) s.blockSize = flags.blockSize;
      if (flags.loraRank !== undefined) s.loraRank = flags.loraRank;
      if (flags.loraTargets !== undefined) s.loraTargets = [...flags.loraTargets];
      if (flags.dp !== undefined) s.dp = flags.dp;
      if (flags.tp !== undefined) s.tp = flags.tp;
      if (flags.pp !== undefined) s.pp = flags.pp;
      if (flags.sp !== undefined) s.sp = flags.sp;
      if (flags.zero !== undefined) s.zero = Number(flags.zero) as TrainingSetup["zero"];
      // --microbatches is per step; the schedule holds some of them at once on the first stage
      // (the estimator's legacy first/last rule takes that count, rounded up when interleaved).
      if (flags.microbatches !== undefined) {
        const schedule = flags.schedules?.[0] ?? flags.schedule ?? "1f1b";
        const v = schedule === "interleaved" ? (flags.virtualStages ?? 2) : 1;
        s.microbatchesInFlight = Math.ceil(inFlightMicrobatches(schedule, flags.pp ?? 1, 0, flags.microbatches, v));
      }
      if (flags.implementation !== undefined) s.implementation = flags.implementation;
      if (flags.device !== undefined) s.device = flags.device;
      if (flags.loop !== undefined) s.loop = flags.loop;
      if (flags.useCache !== undefined) s.useCache = flags.useCache === "on";
      if (flags.inputRequireGrads !== undefined) s.inputRequiresGrad = flags.inputRequireGrads;
    });
    if (model) validateSetup(model, setup);
  } catch (e) {
    throw new CliError(flagMessage((e as Error).message), 2);
  }
  return setup;
}

/** "setup: tp 3 must divide ..." → "--tp 3 must divide ...". */
function flagMessage(message: string): string {
  const m = /^setup: (\w+)(.*)$/s.exec(message);
  if (!m) return message;
  const field = m[1] as keyof TrainingSetup;
  return `${setupFlagNames[field] ?? field}${m[2]}`;
}

/**
 * The model of `--model`: a preset name (`llama-2-7b`), or a path to a Hugging Face config.json
 * (read here, parsed by `modelFromHfConfig`). Errors name the flag and what is accepted.
 */
export function modelFromFlag(value: string, cwd: string): ModelSpec {
  const path = resolve(cwd, value);
  if (value.endsWith(".json") || (existsSync(path) && !value.match(/^[\w.-]+$/))) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new CliError(`--model: cannot read ${value}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new CliError(`--model: ${value} is not JSON: ${(e as Error).message}`);
    }
    try {
      return modelFromHfConfig(json, value.replace(/^.*[\\/]/, "").replace(/\.json$/, "") === "config" ? undefined : value);
    } catch (e) {
      throw new CliError(`--model ${value}: ${(e as Error).message}`);
    }
  }
  try {
    return preset(value);
  } catch (e) {
    throw new CliError(`--model: ${(e as Error).message}`, 2);
  }
}
