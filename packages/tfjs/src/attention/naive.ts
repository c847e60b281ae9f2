import * as tf from "../tf.js";
import type { Attention } from "./attention.js";
import { causalBias } from "./causalBias.js";

/** Materialises the whole `seq × seq` score and probability matrices; autodiff saves both. */
export const naiveAttention: Attention = (q, k, v, options = {}) =>
  tf.tidy(() => {
    const seq = q.shape[2];
    const scale = 1 / Math.sqrt(q.shape[3]);
    let s = tf.matMul(tf.mul(q, scale), k, false, true);
    if (options.causal ?? true) s = tf.add(s, causalBias(0, seq, 0, seq));
    return tf.matMul(tf.softmax(s), v) as tf.Tensor4D;
  });
