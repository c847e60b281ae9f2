import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { BACKENDS, STEP_DEFAULTS, stepConfig, type BackendName, type StepConfig } from "@hbmscope/tfjs/config";
import { intArg } from "./args.js";
import { CliError } from "./cliError.js";

/** The flag that sets each step option, for error messages. */
const FLAG: Record<string, string> = {
  vocab: "--vocab",
  hidden: "--hidden",
  heads: "--heads",
  layers: "--layers",
  ffn: "--ffn",
  seq: "--seq",
  batch: "--batch",
  blockSize: "--block-size",
  attention: "--attention",
  mode: "--mode",
  norm: "--norm",
  optimizer: "--optimizer",
};
export const flagOf = (option: string) => FLAG[option] ?? option;

/** Options of the commands that run a tfjs step: model dims, `--model`, and the step's setup. */
export interface StepFlags {
  vocab?: number;
  hidden?: number;
  heads?: number;
  layers?: number;
  ffn?: number;
  batch?: number;
  blockSize?: number;
  mode?: "train" | "forward";
  norm?: "layernorm" | "rmsnorm";
  optimizer?: "adamw" | "adam";
  backend: BackendName;
  model?: string;
}

/** Adds the model-dimension and setup flags shared by `profile` and `compare-attention`. */
export function addStepOptions(cmd: Command): Command {
  return cmd
    .option("--vocab <n>", `vocabulary size (default ${STEP_DEFAULTS.vocab})`, intArg("--vocab", 1, 2 ** 24))
    .option("--hidden <n>", `model width (default ${STEP_DEFAULTS.hidden})`, intArg("--hidden", 1, 2 ** 16))
    .option("--heads <n>", `attention heads, must divide --hidden (default ${STEP_DEFAULTS.heads})`, intArg("--heads", 1, 2 ** 10))
    .option("--layers <n>", `decoder blocks (default ${STEP_DEFAULTS.layers})`, intArg("--layers", 1, 2 ** 10))
    .option("--ffn <n>", "MLP inner width (default 4 x --hidden)", intArg("--ffn", 1, 2 ** 28))
    .option("--batch <n>", `sequences per step (default ${STEP_DEFAULTS.batch})`, intArg("--batch", 1, 2 ** 16))
    .option("--block-size <n>", `query/key block of chunked and flash attention; the last block is shorter when it does not divide --seq (default ${STEP_DEFAULTS.blockSize})`, intArg("--block-size", 1, 2 ** 20))
    .addOption(new Option("--mode <mode>", "training step or forward only").choices(["train", "forward"]))
    .addOption(new Option("--norm <norm>", "normalisation layer").choices(["layernorm", "rmsnorm"]))
    .addOption(new Option("--optimizer <name>", "adamw: per-variable AdamW; adam: tf.train.adam (one tidy)").choices(["adamw", "adam"]))
    .addOption(new Option("--backend <name>", "tfjs backend (tensorflow needs @tensorflow/tfjs-node or -node-gpu)").choices([...BACKENDS]).default("wasm"))
    .option("--model <config.json>", "a Hugging Face style config.json (vocab_size, hidden_size, num_attention_heads, num_hidden_layers, intermediate_size); flags override it");
}

/** Model dims from a Hugging Face style config.json. */
export function readModelConfig(path: string, cwd: string): Partial<StepConfig> {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(resolve(cwd, path), "utf8"));
  } catch (e) {
    throw new CliError(`--model: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const keys = { vocab: "vocab_size", hidden: "hidden_size", heads: "num_attention_heads", layers: "num_hidden_layers", ffn: "intermediate_size" } as const;
  const out: Partial<StepConfig> = {};
  for (const [option, key] of Object.entries(keys) as [keyof typeof keys, string][]) {
    const v = json[key];
    if (v === undefined) {
      if (option === "ffn") continue;
      throw new CliError(`--model: ${path} has no ${key} (expected a Hugging Face config.json with ${Object.values(keys).join(", ")})`);
    }
    if (!Number.isSafeInteger(v) || (v as number) < 1) throw new CliError(`--model: ${path}: ${key} must be an integer >= 1, got ${JSON.stringify(v)}`);
    out[option] = v as number;
  }
  return out;
}

/** The step config from the flags (over `--model`, over the defaults); bad values name the flag. */
export function stepConfigFromFlags(flags: StepFlags, cwd: string, extra: Partial<StepConfig> = {}): StepConfig {
  const fromFile = flags.model ? readModelConfig(flags.model, cwd) : {};
  const { backend: _b, model: _m, ...dims } = flags;
  try {
    return stepConfig({ ...fromFile, ...dims, ...extra }, flagOf);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

