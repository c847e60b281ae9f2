import * as tf from "../tf.js";
import { blocks, type Attention } from "./attention.js";
import { causalBias } from "./causalBias.js";

/**
 * Query blocks under one `tf.customGrad`: forward saves only q, k and v; backward recomputes each
 * block's probabilities and accumulates dk and dv, one block at a time.
 */
export const chunkedRecomputeAttention: Attention = (q, k, v, options = {}) => {
  const causal = options.causal ?? true;
  const blockSize = options.blockSize ?? 64;
  const [b, h, seq, d] = q.shape;
  const scale = 1 / Math.sqrt(d);
  const parts = blocks(seq, blockSize);
  /** One block's scaled queries, visible keys and values, and probabilities. */
  const block = (qT: tf.Tensor4D, kT: tf.Tensor4D, vT: tf.Tensor4D, qs: number, qe: number) => {
    const ke = causal ? qe : seq;
    const qi = tf.mul(tf.slice(qT, [0, 0, qs, 0], [b, h, qe - qs, d]), scale) as tf.Tensor4D;
    const kk = tf.slice(kT, [0, 0, 0, 0], [b, h, ke, d]);
    const vv = tf.slice(vT, [0, 0, 0, 0], [b, h, ke, d]);
    let s = tf.matMul(qi, kk, false, true);
    if (causal) s = tf.add(s, causalBias(qs, qe, 0, ke));
    return { qi, kk, vv, p: tf.softmax(s), ke };
  };
  const f = tf.customGrad((qT, kT, vT, save) => {
    const [qq, kk, vv] = [qT, kT, vT] as tf.Tensor4D[];
    const outs = parts.map(([qs, qe]) =>
      tf.tidy(() => {
        const x = block(qq, kk, vv, qs, qe);
        return tf.matMul(x.p, x.vv);
      }),
    );
    const value = outs.length === 1 ? outs[0] : tf.concat(outs, 2);
    (save as tf.GradSaveFunc)([qq, kk, vv]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [sq, sk, sv] = saved as tf.Tensor4D[];
          let dk: tf.Tensor = tf.zerosLike(sk);
          let dv: tf.Tensor = tf.zerosLike(sv);
          const dqs: tf.Tensor[] = [];
          for (const [qs, qe] of parts) {
            const next = tf.tidy(() => {
              const x = block(sq, sk, sv, qs, qe);
              const dOi = tf.slice(dy, [0, 0, qs, 0], [b, h, qe - qs, d]);
              const pad: [number, number][] = [[0, 0], [0, 0], [0, seq - x.ke], [0, 0]];
              const dvPart = tf.matMul(x.p, dOi, true, false);
              const dp = tf.matMul(dOi, x.vv, false, true);
              const ds = tf.mul(x.p, tf.sub(dp, tf.sum(tf.mul(x.p, dp), -1, true)));
              const dq = tf.mul(tf.matMul(ds, x.kk), scale);
              const dkPart = tf.matMul(ds, x.qi, true, false);
              return {
                dq,
                dk: tf.add(dk, x.ke === seq ? dkPart : tf.pad(dkPart, pad)),
                dv: tf.add(dv, x.ke === seq ? dvPart : tf.pad(dvPart, pad)),
              };
            });
            dk.dispose();
            dv.dispose();
            dk = next.dk;
            dv = next.dv;
            dqs.push(next.dq);
          }
          return [dqs.length === 1 ? dqs[0] : tf.concat(dqs, 2), dk, dv];
        }),
    };
  });
  return f(q, k, v) as tf.Tensor4D;
};
