import * as tf from "./tf.js";
import { attentionVariants } from "./attention/variants.js";
import { adamw } from "./adamw.js";
import { crossEntropy } from "./crossEntropy.js";
import { gelu } from "./gelu.js";
import { layerNorm, rmsNorm } from "./norm.js";
import { stepConfig, type StepConfig } from "./stepConfig.js";
import { tokens } from "./tokens.js";
import type { TraceContext } from "./traceTfjs.js";

/** What one run of the step gives back (plain data, read before everything is freed). */
export interface StepOutput {
  /** Loss before the update. */
  loss: number;
  /** Parameters (elements). */
  parameters: number;
  /** Logits `[batch * seq, vocab]`, row-major, when asked for with `readLogits`. */
  logits?: Float32Array;
  /** Gradient of every parameter, in parameter order, when asked for with `readGrads` (train mode). */
  grads?: { name: string; values: Float32Array }[];
}

export interface RunOptions {
  /** Read the logits back (forward mode). @defaultValue `false` */
  readLogits?: boolean;
  /** Read every gradient back (train mode). @defaultValue `false` */
  readGrads?: boolean;
}

/** A GPT-style training (or forward) step, ready to run and trace. */
export interface TransformerStep {
  config: StepConfig;
  /**
   * Creates the weights and inputs (phase `setup`), runs forward, backward and the optimizer, and
   * frees everything it made, also when it throws. Pass the `traceTfjs` context to mark phases.
   */
  run(ctx?: TraceContext, options?: RunOptions): StepOutput;
}

interface Param {
  name: string;
  v: tf.Variable;
}

/**
 * A GPT-style decoder step: token + learned position embedding, `layers` pre-norm blocks (causal
 * multi-head attention with the configured variant, GELU MLP, residuals), final norm, LM head,
 * cross-entropy; in train mode `tf.variableGrads` and an AdamW (or `tf.train.adam`) update.
 * Weights are N(0, 0.02) (GPT-2's init) from seeded generators; tokens are seeded too, so every
 * run and every backend sees the same numbers. Linear layers have no bias.
 */
export function transformerStep(partial: Partial<StepConfig> = {}): TransformerStep {
  const config = stepConfig(partial, (o) => `transformerStep: ${o}`);
  return { config, run: (ctx, options) => runStep(config, ctx, options ?? {}) };
}

function runStep(c: StepConfig, ctx: TraceContext | undefined, options: RunOptions): StepOutput {
  const phase = (name: string) => ctx?.phase(name);
  const embedding = c.embedding ?? (tf.getBackend() === "wasm" ? "onehot" : "gather");
  const attention = attentionVariants[c.attention];
  const headDim = c.hidden / c.heads;
  const n = c.batch * c.seq;
  const owned: tf.Tensor[] = [];
  const params: Param[] = [];
  // tfjs treats seed 0 as "no seed" (a random draw), so seeds skip 0.
  let seed = c.seed * 1000 + 1;
  const nextSeed = () => {
    if (seed === 0) seed++;
    return seed++;
  };
  const param = (name: string, shape: number[], init: "normal" | "ones" | "zeros" = "normal") => {
    const v = tf.tidy(() =>
      tf.variable(init === "normal" ? tf.randomNormal(shape, 0, 0.02, "float32", nextSeed()) : init === "ones" ? tf.ones(shape) : tf.zeros(shape), true),
    );
    params.push({ name, v });
    return v;
  };
  let optimizer: { dispose(): void } | null = null;
  try {
    phase("setup");
    const wte = param("wte", [c.vocab, c.hidden]);
    const wpe = param("wpe", [c.seq, c.hidden]);
    const layers = Array.from({ length: c.layers }, (_, l) => ({
      g1: param(`layer${l}.norm1.gamma`, [c.hidden], "ones"),
      b1: c.norm === "layernorm" ? param(`layer${l}.norm1.beta`, [c.hidden], "zeros") : null,
      wqkv: param(`layer${l}.attn.wqkv`, [c.hidden, 3 * c.hidden]),
      wo: param(`layer${l}.attn.wo`, [c.hidden, c.hidden]),
      g2: param(`layer${l}.norm2.gamma`, [c.hidden], "ones"),
      b2: c.norm === "layernorm" ? param(`layer${l}.norm2.beta`, [c.hidden], "zeros") : null,
      w1: param(`layer${l}.mlp.w1`, [c.hidden, c.ffn]),
      w2: param(`layer${l}.mlp.w2`, [c.ffn, c.hidden]),
    }));
    const gf = param("norm.gamma", [c.hidden], "ones");
    const bf = c.norm === "layernorm" ? param("norm.beta", [c.hidden], "zeros") : null;
    const head = param("lmHead", [c.hidden, c.vocab]);
    const ids = tf.tensor1d(tokens(n, c.vocab, c.seed), "int32");
    const targets = tf.tensor1d(tokens(n, c.vocab, c.seed + 7919), "int32");
    owned.push(ids, targets);
    const norm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor | null) => (b ? layerNorm(x, g, b) : rmsNorm(x, g));

    const logitsOf = () => {
      let x = tf.tidy("embedding", () => {
        const e =
          embedding === "gather" ? tf.gather(wte, ids) : tf.matMul(tf.cast(tf.oneHot(ids, c.vocab), "float32"), wte);
        return tf.reshape(tf.add(tf.reshape(e, [c.batch, c.seq, c.hidden]), wpe), [n, c.hidden]);
      });
      layers.forEach((w, l) => {
        x = tf.tidy(`layer${l}`, () => {
          const a = tf.tidy("attn", () => {
            const qkv = tf.matMul(norm(x, w.g1, w.b1), w.wqkv);
            const heads = (i: number) =>
              tf.transpose(tf.reshape(tf.slice(qkv, [0, i * c.hidden], [n, c.hidden]), [c.batch, c.seq, c.heads, headDim]), [0, 2, 1, 3]) as tf.Tensor4D;
            // The attention core gets its own scope, `sdpa`, so its bytes can be told apart.
            const o = tf.tidy("sdpa", () => attention(heads(0), heads(1), heads(2), { causal: c.causal, blockSize: c.blockSize }));
            return tf.matMul(tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [n, c.hidden]), w.wo);
          });
          const h = tf.add(x, a);
          const m = tf.tidy("mlp", () => tf.matMul(gelu(tf.matMul(norm(h, w.g2, w.b2), w.w1)), w.w2));
          return tf.add(h, m);
        });
      });
      return tf.tidy("head", () => tf.matMul(norm(x, gf, bf), head)) as tf.Tensor2D;
    };

    const out: StepOutput = { loss: NaN, parameters: params.reduce((s, p) => s + p.v.size, 0) };
    if (c.mode === "forward") {
      const [loss, logits] = tf.tidy("forward", () => {
        const lg = logitsOf();
        return [crossEntropy(lg, targets), lg];
      });
      owned.push(loss, logits);
      out.loss = loss.dataSync()[0];
      if (options.readLogits) out.logits = logits.dataSync() as Float32Array;
      return out;
    }
    const vars = params.map((p) => p.v);
    const { value, grads } = tf.variableGrads(() => crossEntropy(logitsOf(), targets), vars);
    owned.push(value, ...Object.values(grads));
    out.loss = value.dataSync()[0];
    const ordered = vars.map((v) => grads[v.name]);
    if (options.readGrads) out.grads = params.map((p, i) => ({ name: p.name, values: ordered[i].dataSync() as Float32Array }));
    phase("optimizer");
    if (c.optimizer === "adam") {
      const adam = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
      optimizer = adam;
      tf.tidy("optimizer", () => adam.applyGradients(grads as Record<string, tf.Variable>));
    } else {
      const opt = adamw();
      optimizer = opt;
      opt.step(vars, ordered);
    }
    return out;
  } finally {
    phase("teardown");
    tf.dispose(owned);
    optimizer?.dispose();
    for (const p of params) p.v.dispose();
  }
}
