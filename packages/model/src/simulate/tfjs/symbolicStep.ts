import type { ModelSpec, TrainingSetup } from "../../modelSpec.js";
import { symbolicAttention } from "./symbolicAttention.js";
import { SymEngine, type SymTensor, type TfBackend } from "./symbolicEngine.js";
import { symbolicOps } from "./symbolicOps.js";

/**
 * `@hbmscope/tfjs`'s `transformerStep(config).run()` (src/transformerStep.ts, norm.ts, gelu.ts,
 * crossEntropy.ts, adamw.ts), op for op on a symbolic engine: setup (weights N(0, 0.02) or ones /
 * zeros, token ids), forward and backward through `tf.variableGrads`, the per-variable AdamW
 * (moments made at the first step, one tidy per variable), and the teardown that frees everything.
 * Embedding: one-hot × matrix on wasm (no gradient of gather there), gather on cpu.
 */
export function symbolicStep(model: ModelSpec, setup: TrainingSetup, backend: TfBackend, training: boolean): SymEngine {
  const e = new SymEngine(backend);
  const ops = symbolicOps(e);
  const { vocab, hidden, heads, layers: L, ffn } = model;
  const { batch, seq } = setup;
  const headDim = hidden / heads;
  const n = batch * seq;
  const attention = symbolicAttention(e, ops, setup.attention === "sdpa" ? "flash" : setup.attention, setup.blockSize);
  const layernorm = model.norm === "layernorm";
  const params: SymTensor[] = [];
  const owned: SymTensor[] = [];
  const moments: SymTensor[] = [];
  let varId = 0;
  const param = (shape: number[]) => {
    const v = e.tidy(null, () => e.variable(e.makeTensor(shape), `v${varId++}`));
    params.push(v);
    return v;
  };

  e.setPhase("setup");
  const wte = param([vocab, hidden]);
  const wpe = param([seq, hidden]);
  const layers = Array.from({ length: L }, () => ({
    g1: param([hidden]),
    b1: layernorm ? param([hidden]) : null,
    wqkv: param([hidden, 3 * hidden]),
    wo: param([hidden, hidden]),
    g2: param([hidden]),
    b2: layernorm ? param([hidden]) : null,
    w1: param([hidden, ffn]),
    w2: param([ffn, hidden]),
  }));
  const gf = param([hidden]);
  const bf = layernorm ? param([hidden]) : null;
  const head = param([hidden, vocab]);
  const ids = e.makeTensor([n], "int32");
  const targets = e.makeTensor([n], "int32");
  owned.push(ids, targets);

  const norm = (x: SymTensor, g: SymTensor, b: SymTensor | null) =>
    e.tidy(null, () => {
      if (b) {
        const mean = ops.mean(x, -1, true);
        const centered = ops.sub(x, mean);
        const variance = ops.mean(ops.square(centered), -1, true);
        return ops.add(ops.mul(ops.mul(centered, ops.rsqrt(ops.add(variance, 0))), g), b);
      }
      return ops.mul(ops.mul(x, ops.rsqrt(ops.add(ops.mean(ops.square(x), -1, true), 0))), g);
    });
  const gelu = (x: SymTensor) =>
    e.tidy(null, () => {
      const inner = ops.mul(ops.add(x, ops.mul(ops.pow(x, 3), 0)), 0);
      return ops.mul(ops.mul(x, 0), ops.add(ops.tanh(inner), 1));
    });
  const crossEntropy = (logits: SymTensor, t: SymTensor) =>
    e.tidy(null, () => {
      const logp = ops.sub(logits, ops.logSumExp(logits, -1, true));
      const onehot = ops.cast(ops.oneHot(t, vocab), "float32");
      return ops.div(ops.neg(ops.sum(ops.mul(onehot, logp))), n);
    });

  const logitsOf = (): SymTensor => {
    let x = e.tidy("embedding", () => {
      const emb = backend === "wasm" ? ops.matMul(ops.cast(ops.oneHot(ids, vocab), "float32"), wte) : ops.gather(wte, ids);
      return ops.reshape(ops.add(ops.reshape(emb, [batch, seq, hidden]), wpe), [n, hidden]);
    });
    layers.forEach((w, l) => {
      e.markLayer(`layer${l}`);
      x = e.tidy(`layer${l}`, () => {
        const a = e.tidy("attn", () => {
          const qkv = ops.matMul(norm(x, w.g1, w.b1), w.wqkv);
          const headsOf = (i: number) => ops.transpose(ops.reshape(ops.slice(qkv, [0, i * hidden], [n, hidden]), [batch, seq, heads, headDim]), [0, 2, 1, 3]);
          const o = e.tidy("sdpa", () => attention(headsOf(0), headsOf(1), headsOf(2)));
          return ops.matMul(ops.reshape(ops.transpose(o, [0, 2, 1, 3]), [n, hidden]), w.wo);
        });
        const h = ops.add(x, a);
        const m = e.tidy("mlp", () => ops.matMul(gelu(ops.matMul(norm(h, w.g2, w.b2), w.w1)), w.w2));
        return ops.add(h, m);
      });
    });
    e.markLayer("head");
    return e.tidy("head", () => ops.matMul(norm(x, gf, bf), head));
  };

  if (!training) {
    const [loss, logits] = e.tidy("forward", () => {
      const lg = logitsOf();
      return [crossEntropy(lg, targets), lg];
    });
    owned.push(loss, logits);
  } else {
    const { value, grads } = e.gradients(() => crossEntropy(logitsOf(), targets), params, ops.add);
    owned.push(value, ...grads);
    e.setPhase("optimizer");
    moments.push(...adamw(e, ops, params, grads));
  }
  e.setPhase("teardown");
  for (const t of owned) e.dispose(t);
  for (const t of moments) e.dispose(t);
  for (const p of params) e.dispose(p);
  return e;
}

/** `adamw().step(params, grads)` of `@hbmscope/tfjs` (src/adamw.ts): per variable, its own tidy. */
function adamw(e: SymEngine, ops: ReturnType<typeof symbolicOps>, params: SymTensor[], grads: SymTensor[]): SymTensor[] {
  let id = 0;
  const moments: SymTensor[] = [];
  params.forEach((p, i) => {
    const g = grads[i];
    const mp = e.tidy(null, () => e.variable(ops.zerosLike(p), `m${id++}`));
    const vp = e.tidy(null, () => e.variable(ops.zerosLike(p), `m${id++}`));
    moments.push(mp, vp);
    e.tidy(null, () => {
      e.assign(mp, ops.add(ops.mul(mp, 0), ops.mul(g, 0)));
      e.assign(vp, ops.add(ops.mul(vp, 0), ops.mul(ops.square(g), 0)));
      const update = ops.div(ops.div(mp, 0), ops.add(ops.sqrt(ops.div(vp, 0)), 0));
      e.assign(p, ops.sub(p, ops.mul(ops.add(update, ops.mul(p, 0)), 0)));
    });
  });
  return moments;
}
