import type { AllocatorInput } from "../allocator.js";
import { sizeOrder } from "./sizeOrder.js";

/** What `planArena` places, in allocation ranks: shared by its JS loop and its WebAssembly port. */
export interface PlanRanks {
  /** Buffers placed: those in view with a non-zero size, each allocated once. */
  readonly m: number;
  /** The buffer of each rank (allocation order), `m` of them. */
  readonly byStart: Int32Array;
  /** The rank of the last allocation before each rank's buffer is freed (`m - 1` if it never is). */
  readonly lastRank: Int32Array;
  /** Per buffer: its size rounded up to the alignment (0 for buffers not placed), bytes. */
  readonly size: Float64Array;
  /** Per buffer: NaN, to be filled with the offsets of the placed ones, bytes. */
  readonly offset: Float64Array;
  /** Ranks by non-increasing size, ties by earlier allocation (`sizeOrder`); empty when `m` is 0. */
  readonly order: Int32Array;
}

/**
 * The buffers greedy by size places, in allocation ranks: each lifetime is [its own rank, the rank of
 * the last allocation before its end] (the last rank if it is never freed), sizes rounded up to
 * `alignment` bytes, and the order of placement.
 */
export function planRanks(input: AllocatorInput, alignment: number): PlanRanks {
  const { bytes, inView, eventBuffer, eventAlloc } = input;
  const nb = bytes.length;
  const n = eventBuffer.length;
  const size = new Float64Array(nb);
  const offset = new Float64Array(nb).fill(NaN);
  const rankOf = new Int32Array(nb).fill(-1);
  const byStart = new Int32Array(nb);
  const lastRank = new Int32Array(nb);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const b = eventBuffer[i];
    if (!inView[b] || bytes[b] === 0) continue;
    if (eventAlloc[i]) {
      rankOf[b] = m;
      lastRank[m] = -1;
      byStart[m++] = b;
    } else if (rankOf[b] >= 0) lastRank[rankOf[b]] = m - 1;
  }
  if (m === 0) return { m, byStart, lastRank, size, offset, order: new Int32Array(0) };
  for (let r = 0; r < m; r++) {
    const b = byStart[r];
    size[b] = alignment * Math.ceil(bytes[b] / alignment);
    if (lastRank[r] < 0) lastRank[r] = m - 1;
  }
  return { m, byStart, lastRank, size, offset, order: sizeOrder(byStart, m, size, alignment) };
}
