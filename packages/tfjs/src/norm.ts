import * as tf from "./tf.js";

/** Epsilon of both norms (PyTorch's nn.LayerNorm default, 1e-5). */
const EPS = 1e-5;

/** LayerNorm over the last axis (Ba et al. 2016): (x - mean) / sqrt(var + eps) * gamma + beta. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true);
    const centered = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centered), -1, true);
    return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, EPS))), gamma), beta);
  });
}

/** RMSNorm over the last axis (Zhang & Sennrich 2019): x / sqrt(mean(x²) + eps) * gamma. */
export function rmsNorm(x: tf.Tensor, gamma: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), EPS))), gamma));
}
