import type { Allocator, AllocatorInput, AllocatorState } from "../allocator.js";
import type { ReplaySegment } from "../replayRun.js";
import { PlacementState } from "./placementState.js";

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
 * Planning keeps unions of placed offset ranges in a segment tree over lifetimes (see `planArena`):
 * O(log n) interval-list operations per buffer instead of a scan of the k buffers it overlaps.
 */
export function plannedArena(options: PlannedArenaOptions = {}): PlannedArena {
  const alignment = options.alignment ?? TFLITE_TENSOR_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment < 1) {
    throw new Error(`plannedArena: alignment must be a positive whole number of bytes; got ${alignment}`);
  }
  return { name: "planned", alignment, start: (input) => new PlannedState(input, alignment) };
}

/**
 * Offsets of every buffer of the view (NaN for buffers not planned) and the arena size.
 *
 * Exactly TFLite's greedy by size, made fast by asking only what the placement needs. For a buffer x,
 * greedy by size looks at the placed buffers whose lifetimes overlap x's, sorted by offset, and takes
 * the smallest gap between them that fits (the lowest of equal ones), else the top. Those gaps are
 * exactly the holes of the union of the placed buffers' offset ranges, so the planner keeps unions
 * instead of buffers: a segment tree over lifetimes (in allocation ranks, where two lifetimes overlap
 * exactly when their rank ranges do) whose every node holds two merged interval lists,
 * - `cover`: the union of the placed buffers whose lifetime spans the node's whole range (the node is
 *   one of the O(log m) canonical pieces of that lifetime);
 * - `sub`: the union of the placed buffers with a canonical piece at or below the node.
 * The buffers overlapping x are those covering a node on the paths from x's first and last rank to the
 * root, plus those below a canonical piece of x's lifetime: the union of O(log m) lists. Placing x adds
 * its offset range to O(log m) lists. A list is a union, so it stays short (a few intervals) however
 * many buffers it holds; each placement costs O(log m) list operations, O(m log m) in all for m
 * buffers when unions are compact, against O(m·k log k) for k overlapping buffers each.
 */
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
  if (m === 0) return { offset, size, arena: 0 };
  const startsSorted = Int32Array.from(byStart, (b) => start[b]);
  for (const b of byStart) size[b] = alignment * Math.ceil(bytes[b] / alignment);
  // A lifetime [start, end) in ranks: [its own rank, the rank of the last allocation before its end].
  const lastRank = new Int32Array(m);
  for (let r = 0; r < m; r++) lastRank[r] = upperBound(startsSorted, end[byStart[r]] - 1) - 1;

  const order = sizeOrder(byStart, size, alignment);
  let leaves = 1;
  while (leaves < m) leaves *= 2;
  // Filled by push, not `new Array(length)`: V8 makes a long array made that way a dictionary.
  const cover: number[][] = [];
  const sub: number[][] = [];
  for (let i = 0; i < 2 * leaves; i++) {
    cover.push(EMPTY);
    sub.push(EMPTY);
  }
  const stamp = new Int32Array(2 * leaves).fill(-1);
  // Nodes from `low` on (the leaves and the two levels above them) keep no `sub` list.
  const low = Math.max(1, leaves >> 2);
  const canonical = new Int32Array(64);
  const union = new Union();
  let arena = 0;
  for (let k = 0; k < m; k++) {
    const r = order[k];
    const x = byStart[r];
    const sx = size[x];
    // Canonical pieces of [r, lastRank[r]].
    let pieces = 0;
    let lo = r + leaves;
    let hi = lastRank[r] + leaves + 1;
    while (lo < hi) {
      if (lo & 1) canonical[pieces++] = lo++;
      if (hi & 1) canonical[pieces++] = --hi;
      lo >>= 1;
      hi >>= 1;
    }
    // The union of the placed buffers overlapping x.
    union.clear();
    for (let j = 0; j < pieces; j++) {
      const c = canonical[j];
      if (c < low) union.add(sub[c]);
      else {
        // Nodes in the lowest levels keep no `sub`: their subtree's covers (at most 7) stand in.
        for (let first = c, width = 1; first < 2 * leaves; first *= 2, width *= 2) {
          for (let node = first; node < first + width; node++) union.add(cover[node]);
        }
      }
    }
    let a = r + leaves;
    let b = lastRank[r] + leaves;
    while (a >= 1) {
      union.add(cover[a]);
      if (b !== a) union.add(cover[b]);
      a >>= 1;
      b >>= 1;
    }
    // Smallest hole that fits (the lowest of equal ones), else the top.
    const merged = union.list;
    let prevEnd = 0;
    let best = -1;
    let bestGap = Infinity;
    for (let j = 0; j < union.length; j += 2) {
      const gap = merged[j] - prevEnd;
      if (gap >= sx && gap < bestGap) {
        bestGap = gap;
        best = prevEnd;
      }
      prevEnd = merged[j + 1];
    }
    const at = best >= 0 ? best : prevEnd;
    offset[x] = at;
    if (at + sx > arena) arena = at + sx;
    for (let j = 0; j < pieces; j++) {
      const c = canonical[j];
      cover[c] = addInterval(cover[c], at, at + sx);
      let node = c;
      while (node >= low) node >>= 1;
      for (; node >= 1 && stamp[node] !== k; node >>= 1) {
        stamp[node] = k;
        sub[node] = addInterval(sub[node], at, at + sx);
      }
    }
  }
  return { offset, size, arena };
}

/**
 * Ranks (positions in allocation order) sorted by size, largest first, ties by earlier allocation:
 * one numeric sort of packed keys where they are exact, else a comparison sort.
 */
function sizeOrder(byStart: number[], size: Float64Array, alignment: number): Int32Array {
  const m = byStart.length;
  let bits = 0;
  while (2 ** bits < m) bits++;
  let largest = 0;
  for (const b of byStart) largest = Math.max(largest, size[b] / alignment);
  const order = new Int32Array(m);
  if ((largest + 1) * 2 ** bits < 2 ** 53) {
    const keys = new Float64Array(m);
    for (let r = 0; r < m; r++) keys[r] = (largest - size[byStart[r]] / alignment) * 2 ** bits + r;
    keys.sort();
    for (let r = 0; r < m; r++) order[r] = keys[r] % 2 ** bits;
  } else {
    const ranks = Array.from({ length: m }, (_, r) => r);
    ranks.sort((p, q) => size[byStart[q]] - size[byStart[p]] || p - q);
    order.set(ranks);
  }
  return order;
}

/**
 * Adds [lo, hi) to a sorted list of disjoint intervals `[lo0, hi0, lo1, hi1, ...]`, merging the ones it
 * overlaps or touches. Returns the list (a new one in place of `EMPTY`).
 */
function addInterval(list: number[], lo: number, hi: number): number[] {
  if (list === EMPTY) return [lo, hi];
  const count = list.length >> 1;
  // First interval that ends at or after lo.
  let i = 0;
  let j = count;
  while (i < j) {
    const mid = (i + j) >> 1;
    if (list[2 * mid + 1] < lo) i = mid + 1;
    else j = mid;
  }
  if (i === count) {
    list.push(lo, hi);
    return list;
  }
  if (list[2 * i] > hi) {
    list.splice(2 * i, 0, lo, hi);
    return list;
  }
  let newLo = Math.min(lo, list[2 * i]);
  let newHi = hi;
  let k = i;
  while (k < count && list[2 * k] <= hi) {
    if (list[2 * k + 1] > newHi) newHi = list[2 * k + 1];
    k++;
  }
  if (k === i + 1) {
    list[2 * i] = newLo;
    list[2 * i + 1] = newHi;
  } else list.splice(2 * i, 2 * (k - i), newLo, newHi);
  return list;
}

/** The list of a node that holds nothing yet (shared, never written). */
const EMPTY: number[] = [];

/** A union of intervals being built: sorted disjoint `[lo0, hi0, ...]` in `list[0 .. length)`. */
class Union {
  list = new Float64Array(256);
  length = 0;
  private spare = new Float64Array(256);

  clear() {
    this.length = 0;
  }

  /** Adds the intervals of a sorted disjoint list: one linear merge, touching intervals joined. */
  add(from: number[]) {
    const fn = from.length;
    if (fn === 0) return;
    if (fn === 2) {
      this.addOne(from[0], from[1]);
      return;
    }
    const un = this.length;
    if (this.spare.length < un + fn) {
      this.spare = new Float64Array(2 * (un + fn));
      const grown = new Float64Array(2 * (un + fn));
      grown.set(this.list.subarray(0, un));
      this.list = grown;
    }
    const u = this.list;
    if (un === 0 || from[0] > u[un - 1]) {
      // Empty so far, or all of `from` lies above: append.
      for (let j = 0; j < fn; j++) u[un + j] = from[j];
      this.length = un + fn;
      return;
    }
    const out = this.spare;
    let i = 0;
    let j = 0;
    let k = 0;
    let lo = 0;
    let hi = -1;
    while (i < un || j < fn) {
      let nlo: number;
      let nhi: number;
      if (j >= fn || (i < un && u[i] <= from[j])) {
        nlo = u[i];
        nhi = u[i + 1];
        i += 2;
      } else {
        nlo = from[j];
        nhi = from[j + 1];
        j += 2;
      }
      if (hi >= 0 && nlo <= hi) {
        if (nhi > hi) hi = nhi;
      } else {
        if (hi >= 0) {
          out[k++] = lo;
          out[k++] = hi;
        }
        lo = nlo;
        hi = nhi;
      }
    }
    if (hi >= 0) {
      out[k++] = lo;
      out[k++] = hi;
    }
    this.spare = u;
    this.list = out;
    this.length = k;
  }

  /** Adds one interval in place: a binary search and one shift of the intervals after it. */
  private addOne(lo: number, hi: number) {
    const un = this.length;
    if (this.list.length < un + 2) {
      const grown = new Float64Array(2 * (un + 2));
      grown.set(this.list.subarray(0, un));
      this.list = grown;
      this.spare = new Float64Array(2 * (un + 2));
    }
    const u = this.list;
    // First interval that ends at or after lo (it may touch or overlap [lo, hi)).
    let i = 0;
    let j = un >> 1;
    while (i < j) {
      const mid = (i + j) >> 1;
      if (u[2 * mid + 1] < lo) i = mid + 1;
      else j = mid;
    }
    i *= 2;
    if (i === un || u[i] > hi) {
      u.copyWithin(i + 2, i, un);
      u[i] = lo;
      u[i + 1] = hi;
      this.length = un + 2;
      return;
    }
    // Merge with every interval it overlaps or touches.
    let newHi = hi;
    let k = i;
    while (k < un && u[k] <= hi) {
      if (u[k + 1] > newHi) newHi = u[k + 1];
      k += 2;
    }
    if (lo < u[i]) u[i] = lo;
    u[i + 1] = newHi;
    if (k > i + 2) {
      u.copyWithin(i + 2, k, un);
      this.length = un - (k - i - 2);
    }
  }
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

/** One replay of a plan (a class, so that replays share its optimised methods). */
class PlannedState extends PlacementState implements AllocatorState {
  private readonly offset: Float64Array;
  private readonly size: Float64Array;
  private readonly arena: number;

  constructor(input: AllocatorInput, alignment: number) {
    super(input);
    const plan = planArena(input, alignment);
    this.offset = plan.offset;
    this.size = plan.size;
    this.arena = plan.arena;
  }

  alloc(buffer: number, event: number): boolean {
    if (this.bytes[buffer] === 0) return true;
    if (this.segments.length === 0) {
      if (this.arena > this.capacity) {
        this.lastAttempt = this.arena;
        return false;
      }
      this.segments.push({ address: 0, bytes: this.arena, pool: "arena", reservedAt: event, releasedAt: -1 });
      this.totals[0] = this.arena;
    }
    this.address[buffer] = this.offset[buffer];
    this.blockBytes[buffer] = this.size[buffer];
    this.segmentOf[buffer] = 0;
    this.totals[1] += this.size[buffer];
    return true;
  }

  free(buffer: number): void {
    this.totals[1] -= this.blockBytes[buffer];
  }

  // The arena is the plan: nothing is cached to release.
  emptyCache(): void {}
}
