import * as tf from "../tf.js";
import { blocks, type Attention } from "./attention.js";
import { causalBias } from "./causalBias.js";

/**
 * Query blocks of `blockSize`, plain autodiff. Forward-only, it holds one block's scores at a time;
 * in training the tape saves every block's probabilities, so the saved total is the naive one.
 */
export const chunkedAttention: Attention = (q, k, v, options = {}) =>
  tf.tidy(() => {
    const [b, h, seq, d] = q.shape;
    const causal = options.causal ?? true;
    const scale = 1 / Math.sqrt(d);
    const outs = blocks(seq, options.blockSize ?? 64).map(([qs, qe]) =>
      tf.tidy(() => {
        const ke = causal ? qe : seq;
        const qi = tf.mul(tf.slice(q, [0, 0, qs, 0], [b, h, qe - qs, d]), scale);
        const kk = ke === seq ? k : tf.slice(k, [0, 0, 0, 0], [b, h, ke, d]);
        const vv = ke === seq ? v : tf.slice(v, [0, 0, 0, 0], [b, h, ke, d]);
        let s = tf.matMul(qi, kk, false, true);
        if (causal) s = tf.add(s, causalBias(qs, qe, 0, ke));
        return tf.matMul(tf.softmax(s), vv);
      }),
    );
    return (outs.length === 1 ? outs[0] : tf.concat(outs, 2)) as tf.Tensor4D;
  });
