// The largest free block at the replay's fullest event: src/replay/largestFreeAt.ts, rule for rule,
// over the output columns and segments the module has just written, so that replay.ts neither scans
// the copied columns nor allocates the sorted arrays (whose allocation, right after the outputs' 50
// MB, cost garbage collections under external-memory pressure: 10-60 ms a replay on the bench's
// 1M-event traces, against a few ms here). Scratch lies above the block store's records, which the
// replay no longer needs.
import { nb, segCount, pAllocAt, pFreeAt, pAddress, pBlockBytes, pSegmentOf, pSegAddress, pSegBytes, pSegReservedAt, pSegReleasedAt } from "./replayLayout";
import { ensureMemory, storeTop } from "./blockStore";

@inline function align64(x: usize): usize {
  return (x + 63) & ~(<usize>63);
}

/**
 * Sorts `count` non-negative f64 at `keys` ascending, carrying an i32 each at `payload` along (0: none),
 * with `tmpKeys` / `tmpPayload` as room of the same size and `counts` 256 u32: a stable LSD radix sort
 * of the keys' bits (non-negative doubles order as their bit patterns), 8 bits a pass; a pass whose
 * digit is the same for every key is skipped.
 */
function radixSort(keys: usize, payload: usize, count: i32, tmpKeys: usize, tmpPayload: usize, counts: usize): void {
  if (count < 2) return;
  let src = keys;
  let dst = tmpKeys;
  let srcP = payload;
  let dstP = tmpPayload;
  const c = <usize>count;
  for (let shift: u64 = 0; shift < 64; shift += 8) {
    memory.fill(counts, 0, 256 * 4);
    for (let k: usize = 0; k < c; k++) {
      const d = <usize>((load<u64>(src + (k << 3)) >> shift) & 0xff);
      store<u32>(counts + (d << 2), load<u32>(counts + (d << 2)) + 1);
    }
    const firstDigit = <usize>((load<u64>(src) >> shift) & 0xff);
    if (load<u32>(counts + (firstDigit << 2)) == <u32>count) continue;
    let sum: u32 = 0;
    for (let d: usize = 0; d < 256; d++) {
      const here = load<u32>(counts + (d << 2));
      store<u32>(counts + (d << 2), sum);
      sum += here;
    }
    for (let k: usize = 0; k < c; k++) {
      const bits = load<u64>(src + (k << 3));
      const d = <usize>((bits >> shift) & 0xff);
      const to = <usize>load<u32>(counts + (d << 2));
      store<u32>(counts + (d << 2), <u32>to + 1);
      store<u64>(dst + (to << 3), bits);
      if (payload != 0) store<i32>(dstP + (to << 2), load<i32>(srcP + (k << 2)));
    }
    const t = src;
    src = dst;
    dst = t;
    const tp = srcP;
    srcP = dstP;
    dstP = tp;
  }
  if (src != keys) {
    memory.copy(keys, src, c << 3);
    if (payload != 0) memory.copy(payload, srcP, c << 2);
  }
}

/**
 * Largest free block inside the segments live right after event `index`, bytes: the largest gap
 * between a live segment's start, its live blocks in address order and its end (largestFreeAt.ts:
 * the live blocks' starts and ends sorted apart, the live segments by address).
 */
export function largestFreeAt(index: i32): f64 {
  const B = <usize>nb;
  // Live blocks at `index`, and live segments.
  let count = 0;
  for (let b: usize = 0; b < B; b++) {
    const at = load<i32>(pAllocAt + (b << 2));
    if (at < 0 || at > index) continue;
    const freed = load<i32>(pFreeAt + (b << 2));
    if ((freed < 0 || freed > index) && load<i32>(pSegmentOf + (b << 2)) >= 0) count++;
  }
  let segs = 0;
  for (let s = 0; s < segCount; s++) {
    const k = <usize>s << 2;
    const released = load<i32>(pSegReleasedAt + k);
    if (load<i32>(pSegReservedAt + k) <= index && (released < 0 || released > index)) segs++;
  }
  const most = <usize>(count > segs ? count : segs);
  const pStarts = align64(storeTop());
  const pEnds = align64(pStarts + 8 * <usize>count);
  const pSegKeys = align64(pEnds + 8 * <usize>count);
  const pSegIds = align64(pSegKeys + 8 * <usize>segs);
  const pTmpKeys = align64(pSegIds + 4 * <usize>segs);
  const pTmpIds = align64(pTmpKeys + 8 * most);
  const pCounts = align64(pTmpIds + 4 * most);
  ensureMemory(pCounts + 256 * 4);
  let k: usize = 0;
  for (let b: usize = 0; b < B; b++) {
    const at = load<i32>(pAllocAt + (b << 2));
    if (at < 0 || at > index) continue;
    const freed = load<i32>(pFreeAt + (b << 2));
    if ((freed < 0 || freed > index) && load<i32>(pSegmentOf + (b << 2)) >= 0) {
      const address = load<f64>(pAddress + (b << 3));
      store<f64>(pStarts + (k << 3), address);
      store<f64>(pEnds + (k << 3), address + load<f64>(pBlockBytes + (b << 3)));
      k++;
    }
  }
  k = 0;
  for (let s = 0; s < segCount; s++) {
    const w = <usize>s << 2;
    const released = load<i32>(pSegReleasedAt + w);
    if (load<i32>(pSegReservedAt + w) <= index && (released < 0 || released > index)) {
      store<f64>(pSegKeys + (k << 3), load<f64>(pSegAddress + (<usize>s << 3)));
      store<i32>(pSegIds + (k << 2), s);
      k++;
    }
  }
  radixSort(pStarts, 0, count, pTmpKeys, 0, pCounts);
  radixSort(pEnds, 0, count, pTmpKeys, 0, pCounts);
  // Stable, as the JS sort of the segments by address.
  radixSort(pSegKeys, pSegIds, segs, pTmpKeys, pTmpIds, pCounts);
  let largest: f64 = 0;
  let j = 0;
  for (let q = 0; q < segs; q++) {
    const s = <usize>load<i32>(pSegIds + (<usize>q << 2));
    const address = load<f64>(pSegAddress + (s << 3));
    const end = address + load<f64>(pSegBytes + (s << 3));
    // Blocks outside every live segment are left out (as `stateAt` leaves them).
    while (j < count && load<f64>(pStarts + (<usize>j << 3)) < address) j++;
    let at = address;
    for (; j < count; j++) {
      const start = load<f64>(pStarts + (<usize>j << 3));
      if (!(start < end)) break;
      if (start - at > largest) largest = start - at;
      at = load<f64>(pEnds + (<usize>j << 3));
    }
    if (end - at > largest) largest = end - at;
  }
  return largest;
}
