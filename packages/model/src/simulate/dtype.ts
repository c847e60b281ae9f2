/**
 * Element types a simulated buffer can hold, and their sizes.
 * tfjs computes in float32 only; the 16-bit, 8-bit and 4-bit types are modelled (DESIGN.md,
 * "Precision and methods").
 */
export type SimDtype = "float32" | "bfloat16" | "float16" | "int64" | "int32" | "int8" | "uint8" | "bool" | "nf4";

/** Bits per element (nf4: 4-bit NormalFloat codes, Dettmers et al. 2023, two per byte). */
const BITS: Record<SimDtype, number> = {
  float32: 32,
  bfloat16: 16,
  float16: 16,
  int64: 64,
  int32: 32,
  int8: 8,
  uint8: 8,
  bool: 8,
  nf4: 4,
};

/** Number of elements of a shape. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Bytes of a dense buffer of `shape` in `dtype`; 4-bit codes round up to whole bytes. */
export function tensorBytes(shape: readonly number[], dtype: SimDtype): number {
  return Math.ceil((elementCount(shape) * BITS[dtype]) / 8);
}

/** The 16-bit type named by a setup's `dtype`. */
export function halfDtype(dtype: "bf16" | "fp16"): SimDtype {
  return dtype === "bf16" ? "bfloat16" : "float16";
}
