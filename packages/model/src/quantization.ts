/**
 * Bits per parameter of NF4 with double quantization (Dettmers et al. 2023, QLoRA, sec. 3):
 * 4-bit codes; one absmax per 64-weight block, itself quantized to 8 bits (8/64); one fp32 constant
 * per 256 of those (32 / (64 × 256)). 4 + 0.125 + 0.001953125 = 4.126953125.
 */
export const NF4_DOUBLE_QUANT_BITS = 4 + 8 / 64 + 32 / (64 * 256);

/**
 * Bytes of one NF4 tensor of `elements` weights with double quantization, in whole buffers as
 * bitsandbytes stores them: 4-bit codes (two per byte), one 8-bit absmax per 64-weight block, one
 * fp32 constant per 256 blocks (Dettmers et al. 2023, sec. 3). NF4_DOUBLE_QUANT_BITS / 8 per weight
 * when the blocks divide evenly.
 */
export function nf4Bytes(elements: number): number {
  const blocks = Math.ceil(elements / 64);
  return Math.ceil(elements / 2) + blocks + 4 * Math.ceil(blocks / 256);
}

/** NF4 without double quantization: an fp32 absmax per 64-weight block: 4 + 32/64 = 4.5 bits. */
export const NF4_BITS = 4 + 32 / 64;

/**
 * bitsandbytes 8-bit optimizers (Dettmers et al. 2022, "8-bit Optimizers via Block-wise
 * Quantization"; `bitsandbytes/optim/optimizer.py`, `Optimizer2State.init_state`): states of tensors
 * with fewer than `min_8bit_size` = 4096 elements stay 32-bit; larger ones take 1 byte per element
 * plus one fp32 absmax per 2048-element block.
 */
export const EIGHT_BIT_MIN_SIZE = 4096;
export const EIGHT_BIT_BLOCK = 2048;
