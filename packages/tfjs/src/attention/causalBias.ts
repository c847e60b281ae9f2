import * as tf from "../tf.js";

/**
 * Additive causal mask for queries `[qStart, qEnd)` against keys `[kStart, kEnd)`: 0 where the key
 * is at or before the query, `MASKED` after it. A large finite number rather than -Infinity keeps
 * `exp(s - max)` free of NaN.
 */
export const MASKED = -1e9;

export function causalBias(qStart: number, qEnd: number, kStart: number, kEnd: number): tf.Tensor2D {
  const rows = qEnd - qStart;
  const cols = kEnd - kStart;
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const q = qStart + r;
    for (let c = 0; c < cols; c++) if (kStart + c > q) values[r * cols + c] = MASKED;
  }
  return tf.tensor2d(values, [rows, cols]);
}

/** Whether any key of `[kStart, kEnd)` is after a query of `[qStart, qEnd)` (the tile needs a mask). */
export function needsMask(qStart: number, kEnd: number): boolean {
  return kEnd - 1 > qStart;
}
