import { ATTENTION_VARIANTS, type AttentionVariant } from "./attention/attention.js";

/** A GPT-style decoder and one step over it. Sizes are element counts, never bytes. */
export interface StepConfig {
  /** Vocabulary size. @defaultValue `256` */
  vocab: number;
  /** Model width. @defaultValue `64` */
  hidden: number;
  /** Attention heads; must divide `hidden`. @defaultValue `4` */
  heads: number;
  /** Decoder blocks. @defaultValue `1` */
  layers: number;
  /** MLP inner width. @defaultValue `4 * hidden` */
  ffn: number;
  /** Sequence length (tokens). @defaultValue `128` */
  seq: number;
  /** Sequences per step. @defaultValue `2` */
  batch: number;
  /** @defaultValue `"naive"` */
  attention: AttentionVariant;
  /** Query/key block of the chunked and flash variants; a shorter last block when it does not divide `seq`. @defaultValue `64` */
  blockSize: number;
  /** @defaultValue `"layernorm"` */
  norm: "layernorm" | "rmsnorm";
  /** `train`: forward, `tf.variableGrads`, optimizer update; `forward`: forward and loss only. @defaultValue `"train"` */
  mode: "train" | "forward";
  /** `adamw`: per-variable AdamW with explicit moments, one tidy per variable; `adam`: `tf.train.adam` (all variables in one tidy). @defaultValue `"adamw"` */
  optimizer: "adamw" | "adam";
  /** `onehot`: one-hot × matrix (wasm has no gradient of gather); `gather`. @defaultValue `"onehot"` on wasm, else `"gather"` */
  embedding?: "onehot" | "gather";
  /** Causal attention. @defaultValue `true` */
  causal: boolean;
  /** Seed of the initial weights and the tokens. @defaultValue `1` */
  seed: number;
}

export const STEP_DEFAULTS: Readonly<Omit<StepConfig, "ffn">> = {
  vocab: 256,
  hidden: 64,
  heads: 4,
  layers: 1,
  seq: 128,
  batch: 2,
  attention: "naive",
  blockSize: 64,
  norm: "layernorm",
  mode: "train",
  optimizer: "adamw",
  causal: true,
  seed: 1,
};

const CHOICES = {
  attention: ATTENTION_VARIANTS,
  norm: ["layernorm", "rmsnorm"],
  mode: ["train", "forward"],
  optimizer: ["adamw", "adam"],
  embedding: ["onehot", "gather"],
} as const;

/**
 * Fills in defaults and checks a step config. Errors name the option (through `name`, so the CLI
 * can say `--heads`), the value, and what is accepted.
 */
export function stepConfig(partial: Partial<StepConfig> = {}, name: (option: string) => string = (o) => o): StepConfig {
  const c = { ...STEP_DEFAULTS, ...stripUndefined(partial) } as StepConfig;
  if (c.ffn === undefined) c.ffn = 4 * c.hidden;
  for (const key of ["vocab", "hidden", "heads", "layers", "ffn", "seq", "batch", "blockSize"] as const) {
    const v = c[key];
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${name(key)} must be an integer >= 1, got ${JSON.stringify(v)}`);
  }
  if (!Number.isSafeInteger(c.seed)) throw new Error(`${name("seed")} must be an integer, got ${JSON.stringify(c.seed)}`);
  for (const [key, accepted] of Object.entries(CHOICES) as [keyof typeof CHOICES, readonly string[]][]) {
    const v = c[key];
    if (v !== undefined && !accepted.includes(v)) {
      throw new Error(`${name(key)}: unknown value ${JSON.stringify(v)}; accepted: ${accepted.join(", ")}`);
    }
  }
  if (c.hidden % c.heads !== 0) {
    throw new Error(`${name("heads")} (${c.heads}) must divide ${name("hidden")} (${c.hidden})`);
  }
  if (typeof c.causal !== "boolean") throw new Error(`${name("causal")} must be true or false`);
  return c;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
