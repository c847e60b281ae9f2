import * as tf from "../tf.js";
import { blocks, type Attention } from "./attention.js";
import { causalBias, needsMask } from "./causalBias.js";

/**
 * FlashAttention's algorithm (Dao et al. 2022, "FlashAttention: Fast and Memory-Efficient Exact
 * Attention with IO-Awareness", Algorithms 1 and 2) in tfjs ops: query and key tiles, an online
 * softmax (running max and sum), and a custom gradient that saves only the output and the row
 * log-sum-exp and recomputes each tile's probabilities in backward. Causal tiles wholly after
 * their query tile are skipped.
 */
export const flashAttention: Attention = (q, k, v, options = {}) => {
  const causal = options.causal ?? true;
  const [b, h, seq, d] = q.shape;
  const scale = 1 / Math.sqrt(d);
  const tiles = blocks(seq, options.blockSize ?? 64);
  const rows = (t: tf.Tensor, s: number, e: number) => tf.slice(t, [0, 0, s, 0], [b, h, e - s, t.shape[3]!]);
  /** Scores of query tile [qs, qe) against key tile [ks, ke), masked where needed. */
  const scores = (qi: tf.Tensor, kj: tf.Tensor, qs: number, qe: number, ks: number, ke: number) => {
    const s = tf.matMul(qi, kj, false, true);
    return causal && needsMask(qs, ke) ? tf.add(s, causalBias(qs, qe, ks, ke)) : s;
  };
  const visible = (qs: number, qe: number, ks: number) => !causal || ks < qe;

  const f = tf.customGrad((...args) => {
    const [qT, kT, vT] = args as tf.Tensor4D[];
    const save = args[3] as tf.GradSaveFunc;
    const outs: tf.Tensor[] = [];
    const lses: tf.Tensor[] = [];
    for (const [qs, qe] of tiles) {
      let m: tf.Tensor | null = null;
      let l: tf.Tensor | null = null;
      let acc: tf.Tensor | null = null;
      for (const [ks, ke] of tiles) {
        if (!visible(qs, qe, ks)) continue;
        const next: tf.Tensor[] = tf.tidy(() => {
          const qi = tf.mul(rows(qT, qs, qe), scale);
          const s = scores(qi, rows(kT, ks, ke), qs, qe, ks, ke);
          const vj = rows(vT, ks, ke);
          if (m === null) {
            const m0 = tf.max(s, -1, true);
            const p = tf.exp(tf.sub(s, m0));
            return [m0, tf.sum(p, -1, true), tf.matMul(p, vj)];
          }
          const mNew = tf.maximum(m, tf.max(s, -1, true));
          const alpha = tf.exp(tf.sub(m, mNew));
          const p = tf.exp(tf.sub(s, mNew));
          return [mNew, tf.add(tf.mul(l!, alpha), tf.sum(p, -1, true)), tf.add(tf.mul(acc!, alpha), tf.matMul(p, vj))];
        });
        tf.dispose([m!, l!, acc!].filter((t) => t !== null));
        [m, l, acc] = next;
      }
      const [o, lse] = tf.tidy(() => [tf.div(acc!, l!), tf.add(m!, tf.log(l!))]);
      tf.dispose([m!, l!, acc!]);
      outs.push(o);
      lses.push(lse);
    }
    const value = outs.length === 1 ? outs[0] : tf.concat(outs, 2);
    const lse = lses.length === 1 ? lses[0] : tf.concat(lses, 2);
    save([qT, kT, vT, value, lse]);
    return {
      value,
      // Wrapped in tf.tidy: otherwise every tile's temporaries live until the end of backward.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [sq, sk, sv, so, slse] = saved;
          const dRow = tf.sum(tf.mul(dy, so), -1, true);
          const dq: (tf.Tensor | null)[] = tiles.map(() => null);
          const dk: tf.Tensor[] = [];
          const dv: tf.Tensor[] = [];
          for (const [ks, ke] of tiles) {
            let dkj: tf.Tensor | null = null;
            let dvj: tf.Tensor | null = null;
            tiles.forEach(([qs, qe], i) => {
              if (!visible(qs, qe, ks)) return;
              const next = tf.tidy(() => {
                const qi = tf.mul(rows(sq, qs, qe), scale);
                const kj = rows(sk, ks, ke);
                const vj = rows(sv, ks, ke);
                const dOi = rows(dy, qs, qe);
                const p = tf.exp(tf.sub(scores(qi, kj, qs, qe, ks, ke), rows(slse, qs, qe)));
                const dp = tf.matMul(dOi, vj, false, true);
                const ds = tf.mul(p, tf.sub(dp, rows(dRow, qs, qe)));
                const dqi = tf.mul(tf.matMul(ds, kj), scale);
                const dvPart = tf.matMul(p, dOi, true, false);
                const dkPart = tf.matMul(ds, qi, true, false);
                return {
                  dq: dq[i] === null ? dqi : tf.add(dq[i]!, dqi),
                  dk: dkj === null ? dkPart : tf.add(dkj, dkPart),
                  dv: dvj === null ? dvPart : tf.add(dvj, dvPart),
                };
              });
              tf.dispose([dq[i], dkj, dvj].filter((t): t is tf.Tensor => t !== null));
              dq[i] = next.dq;
              dkj = next.dk;
              dvj = next.dv;
            });
            dk.push(dkj!);
            dv.push(dvj!);
          }
          const cat = (ts: tf.Tensor[]) => (ts.length === 1 ? ts[0] : tf.concat(ts, 2));
          return [cat(dq as tf.Tensor[]), cat(dk), cat(dv)];
        }),
    };
  });
  return f(q, k, v) as tf.Tensor4D;
};
