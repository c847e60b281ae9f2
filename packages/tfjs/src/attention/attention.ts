import type * as tf from "../tf.js";

/** Options every attention variant takes. */
export interface AttentionOptions {
  /** Mask keys after the query position (decoder attention). @defaultValue `true` */
  causal?: boolean;
  /**
   * Query (and, for flash, key) block length in positions. The last block is shorter when it does
   * not divide the sequence length. Ignored by `naive`. @defaultValue `64`
   */
  blockSize?: number;
}

/**
 * An attention variant: softmax(q kᵀ / √d [+ causal mask]) v over `[batch, heads, seq, headDim]`
 * tensors. Variants differ only in what they keep in memory, never in the result (to float32 rounding).
 */
export type Attention = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, options?: AttentionOptions) => tf.Tensor4D;

/** The names of the attention variants, as the CLI spells them. */
export const ATTENTION_VARIANTS = ["naive", "chunked", "chunked-recompute", "flash"] as const;
export type AttentionVariant = (typeof ATTENTION_VARIANTS)[number];

/** Query/key blocks `[start, end)` of length `blockSize` covering `0..seq` (the last may be shorter). */
export function blocks(seq: number, blockSize: number): [number, number][] {
  if (!Number.isSafeInteger(blockSize) || blockSize < 1) {
    throw new Error(`attention: blockSize must be an integer >= 1, got ${blockSize}`);
  }
  const out: [number, number][] = [];
  for (let s = 0; s < seq; s += blockSize) out.push([s, Math.min(seq, s + blockSize)]);
  return out;
}
