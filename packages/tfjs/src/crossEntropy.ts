import * as tf from "./tf.js";

/**
 * Mean cross-entropy of `logits` `[n, vocab]` against integer `targets` `[n]`.
 * The one-hot is built as int32 and cast: the wasm backend writes int bits into a float32 one-hot.
 */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const [n, vocab] = logits.shape;
    const logp = tf.sub(logits, tf.logSumExp(logits, -1, true));
    const onehot = tf.cast(tf.oneHot(targets, vocab), "float32");
    return tf.div(tf.neg(tf.sum(tf.mul(onehot, logp))), n) as tf.Scalar;
  });
}
