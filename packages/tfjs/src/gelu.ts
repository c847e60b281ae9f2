import * as tf from "./tf.js";

/**
 * GELU, tanh approximation (Hendrycks & Gimpel 2016, as GPT-2 uses it):
 * 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))).
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  });
}
