import type { Allocator, AllocatorInput, AllocatorState } from "../allocator.js";
import type { ReplaySegment } from "../replayRun.js";

/** TFLite aligns arena tensors to 64 bytes (kDefaultTensorAlignment, tensorflow/lite/arena_planner.h). */
export const TFLITE_TENSOR_ALIGNMENT = 64;

export interface PlannedArenaOptions {
  /** Every buffer's offset and size are rounded up to this many bytes. @defaultValue 64 (TFLite) */
  alignment?: number;
}

export interface PlannedArena extends Allocator {
  readonly name: "planned";
  readonly alignment: number;
}

/**
 * What a memory-planning compiler would reserve: one arena, every buffer's offset planned before
 * the run from the whole trace, greedy by size (TFLite's `GreedyBySizeAssignment`, Pisarchyk & Lee
 * 2020, "Efficient Memory Management for Deep Neural Net Inference"): buffers in non-increasing size
 * order (ties: earlier allocation first); each goes into the smallest gap, between already placed
 * buffers whose lifetimes overlap its own, that fits it, else above the highest of them.
 * The arena (the largest end) is reserved at the first allocation; if it exceeds the capacity, the
 * plan fails there (out of memory at the first allocation, trying to allocate the arena).
 * Lifetimes are event intervals [alloc, free); a buffer never freed lives to the end.
 * Planning costs O(n·k log k) for n buffers overlapping k others on average.
 */
export function plannedArena(options: PlannedArenaOptions = {}): PlannedArena {
  const alignment = options.alignment ?? TFLITE_TENSOR_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment < 1) {
    throw new Error(`plannedArena: alignment must be a positive whole number of bytes; got ${alignment}`);
  }
  return { name: "planned", alignment, start: (input) => startPlanned(input, alignment) };
}

/** Offsets of every buffer of the view (NaN for buffers not planned) and the arena size. */
export function planArena(input: AllocatorInput, alignment: number): { offset: Float64Array; size: Float64Array; arena: number } {
  const { bytes, inView, eventBuffer, eventAlloc } = input;
  const nb = bytes.length;
  const n = eventBuffer.length;
  const start = new Int32Array(nb).fill(-1);
  const end = new Int32Array(nb).fill(n);
  const size = new Float64Array(nb);
  const offset = new Float64Array(nb).fill(NaN);
  // Buffers in allocation order: starts are distinct event indices.
  const byStart: number[] = [];
  for (let i = 0; i < n; i++) {
    const b = eventBuffer[i];
    if (!inView[b] || bytes[b] === 0) continue;
    if (eventAlloc[i]) {
      start[b] = i;
      byStart.push(b);
    } else end[b] = i;
  }
  const m = byStart.length;
  const startsSorted = Int32Array.from(byStart, (b) => start[b]);
  for (const b of byStart) size[b] = alignment * Math.ceil(bytes[b] / alignment);

  // Stabbing index: a segment tree over allocation ranks; each buffer's lifetime [rank of start,
  // rank of last start before its end] is stored at its canonical nodes (CSR arrays).
  let leaves = 1;
  while (leaves < Math.max(m, 1)) leaves *= 2;
  const lastRank = new Int32Array(nb);
  for (const b of byStart) lastRank[b] = upperBound(startsSorted, end[b] - 1) - 1;
  const rankOf = new Int32Array(nb);
  byStart.forEach((b, r) => (rankOf[b] = r));
  const count = new Int32Array(2 * leaves + 1);
  const visit = (b: number, fn: (node: number) => void) => {
    let lo = rankOf[b] + leaves;
    let hi = lastRank[b] + leaves + 1;
    while (lo < hi) {
      if (lo & 1) fn(lo++);
      if (hi & 1) fn(--hi);
      lo >>= 1;
      hi >>= 1;
    }
  };
  for (const b of byStart) visit(b, (node) => count[node + 1]++);
  for (let i = 1; i < count.length; i++) count[i] += count[i - 1];
  const fill = count.slice(0, count.length - 1);
  const stored = new Int32Array(count[count.length - 1]);
  for (const b of byStart) visit(b, (node) => (stored[fill[node]++] = b));

  const order = byStart.slice().sort((a, b) => size[b] - size[a] || start[a] - start[b]);
  const placed = new Uint8Array(nb);
  // Placed allocation ranks as a bitset, so buffers allocated during x's lifetime are found by
  // skipping whole words of unplaced ones.
  const placedRank = new Uint32Array((m >> 5) + 1);
  let total = 0;
  for (const b of byStart) total += size[b];
  // Candidates are sorted by a single float key: offset in alignment units, times 2^21, plus the
  // candidate's position (exact while the arena bound keeps it under 2^53).
  const packed = (total / alignment) * 2 ** 21 < 2 ** 53;
  let cand = new Int32Array(1024);
  let keys = new Float64Array(1024);
  let arena = 0;
  for (const x of order) {
    let k = 0;
    const push = (p: number) => {
      if (k === cand.length) {
        const c = new Int32Array(k * 2);
        c.set(cand);
        cand = c;
        keys = new Float64Array(k * 2);
      }
      cand[k++] = p;
    };
    // Placed buffers live at x's allocation: stored on the path from the root to x's leaf.
    for (let node = rankOf[x] + leaves; node >= 1; node >>= 1) {
      for (let j = count[node]; j < count[node + 1]; j++) if (placed[stored[j]]) push(stored[j]);
    }
    // Placed buffers allocated during x's lifetime.
    const r0 = rankOf[x] + 1;
    const r1 = lastRank[x];
    for (let w = r0 >> 5; w <= r1 >> 5 && r0 <= r1; w++) {
      let bits = placedRank[w];
      while (bits !== 0) {
        const low = bits & -bits;
        const r = (w << 5) + 31 - Math.clz32(low);
        bits ^= low;
        if (r >= r0 && r <= r1) push(byStart[r]);
      }
    }
    if (k > 1 && packed && k < 2 ** 21) {
      for (let j = 0; j < k; j++) keys[j] = (offset[cand[j]] / alignment) * 2 ** 21 + j;
      const sorted = keys.subarray(0, k).sort();
      const c = cand.slice(0, k);
      for (let j = 0; j < k; j++) cand[j] = c[sorted[j] % 2 ** 21];
    } else if (k > 1) {
      const c = Array.from(cand.subarray(0, k)).sort((a, b) => offset[a] - offset[b]);
      cand.set(c);
    }
    let prevEnd = 0;
    let best = -1;
    let bestGap = Infinity;
    for (let j = 0; j < k; j++) {
      const p = cand[j];
      const gap = offset[p] - prevEnd;
      if (gap >= size[x] && gap < bestGap) {
        bestGap = gap;
        best = prevEnd;
      }
      const end = offset[p] + size[p];
      if (end > prevEnd) prevEnd = end;
    }
    offset[x] = best >= 0 ? best : prevEnd;
    placed[x] = 1;
    placedRank[rankOf[x] >> 5] |= 1 << (rankOf[x] & 31);
    arena = Math.max(arena, offset[x] + size[x]);
  }
  return { offset, size, arena };
}

function upperBound(a: Int32Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function startPlanned(input: AllocatorInput, alignment: number): AllocatorState {
  const nb = input.bytes.length;
  const plan = planArena(input, alignment);
  const segments: ReplaySegment[] = [];
  const totals = new Float64Array(2);
  const state: AllocatorState = {
    totals,
    lastAttempt: 0,
    address: new Float64Array(nb).fill(-1),
    blockBytes: new Float64Array(nb),
    segmentOf: new Int32Array(nb).fill(-1),
    segments,
    alloc(buffer, event) {
      if (input.bytes[buffer] === 0) return true;
      if (segments.length === 0) {
        if (plan.arena > input.capacity) {
          state.lastAttempt = plan.arena;
          return false;
        }
        segments.push({ address: 0, bytes: plan.arena, pool: "arena", reservedAt: event, releasedAt: -1 });
        totals[0] = plan.arena;
      }
      state.address[buffer] = plan.offset[buffer];
      state.blockBytes[buffer] = plan.size[buffer];
      state.segmentOf[buffer] = 0;
      totals[1] += plan.size[buffer];
      return true;
    },
    free(buffer) {
      totals[1] -= state.blockBytes[buffer];
    },
    // The arena is the plan: nothing is cached to release.
    emptyCache() {},
  };
  return state;
}
