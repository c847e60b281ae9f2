import type { Allocator, AllocatorInput, AllocatorState } from "../allocator.js";
import type { ReplaySegment } from "../replayRun.js";
import { PlacementState } from "./placementState.js";
import { IntervalLists } from "./intervalLists.js";
import { IntervalUnion } from "./intervalUnion.js";

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
  const size = new Float64Array(nb);
  const offset = new Float64Array(nb).fill(NaN);
  // Buffers in allocation order (their ranks), and each lifetime [start, end) in ranks: [its own
  // rank, the rank of the last allocation before its end] (the last rank if it is never freed).
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
  if (m === 0) return { offset, size, arena: 0 };
  for (let r = 0; r < m; r++) {
    const b = byStart[r];
    size[b] = alignment * Math.ceil(bytes[b] / alignment);
    if (lastRank[r] < 0) lastRank[r] = m - 1;
  }

  const order = sizeOrder(byStart, m, size, alignment);
  let leaves = 1;
  while (leaves < m) leaves *= 2;
  let depth = 0;
  while (1 << depth < leaves) depth++;
  // Node i's \`cover\` is list i; its \`starts\` list (nodes of more than 2^SCAN_LEVELS ranks, i < low)
  // is list 2 * leaves + i. About 10 numbers a buffer on a training trace (bench/trainingTrace.ts).
  const low = Math.max(1, leaves >> SCAN_LEVELS);
  const lists = new IntervalLists(2 * leaves + low, 12 * m);
  const starts = 2 * leaves;
  const placed = new Uint8Array(m);
  const canonical = new Int32Array(64);
  const union = new IntervalUnion();
  // Nodes below \`top\` keep the union of their own and their ancestors' covers (\`path\`), remade when
  // stale: \`version[v]\` is the clock when node v's cover last changed, \`made[v]\` when its path union
  // was made; \`ref[v]\` is the node whose path list is v's (v's own or, when v's cover is empty, its
  // parent's).
  const top = 1 << Math.max(1, depth - CACHE_SKIP);
  const path = new IntervalLists(top, 64 * top);
  const version = new Int32Array(top);
  const made = new Int32Array(top);
  const ref = new Int32Array(top);
  const chain = new Int32Array(64);
  let clock = 1;
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
    // The union of the placed buffers overlapping x: those allocated within its lifetime (the
    // \`starts\` of its pieces) and those alive at its allocation (the covers on the path from its
    // rank to the root; the cached path union from \`top\` up).
    union.clear();
    for (let j = 0; j < pieces; j++) {
      const c = canonical[j];
      if (c < low) union.addList(lists, starts + c);
      else {
        // Nodes in the lowest levels keep no \`starts\`: their ranks (at most 2^SCAN_LEVELS) stand in.
        let first = c;
        let width = 1;
        while (first < leaves) {
          first *= 2;
          width *= 2;
        }
        for (let q = first - leaves; q < first - leaves + width; q++) {
          if (placed[q]) {
            const at = offset[byStart[q]];
            union.addOne(at, at + size[byStart[q]]);
          }
        }
      }
    }
    let a = r + leaves;
    for (; a >= top; a >>= 1) union.addList(lists, a);
    // The path union of \`a\`, remade from the highest stale node down.
    let links = 0;
    for (let v = a; v >= 1; v >>= 1) chain[links++] = v;
    let above = 0;
    for (let j = links - 1; j >= 0; j--) {
      const v = chain[j];
      if (made[v] <= version[v] || made[v] <= above) {
        const p = v >> 1;
        if (lists.length[v] === 0) ref[v] = p >= 1 ? ref[p] : v;
        else {
          ref[v] = v;
          if (p >= 1) {
            scratch.clear();
            scratch.addList(path, ref[p]);
            scratch.addList(lists, v);
            path.set(v, scratch.list, 0, scratch.length);
          } else path.set(v, lists.data, lists.start[v], lists.length[v]);
        }
        made[v] = clock++;
      }
      above = made[v];
    }
    // Smallest hole of the union of the two that fits (the lowest of equal ones), else the top.
    const at = bestHole(union.list, union.length, path.data, path.start[ref[a]], path.length[ref[a]], sx);
    offset[x] = at;
    if (at + sx > arena) arena = at + sx;
    for (let j = 0; j < pieces; j++) {
      const c = canonical[j];
      if (lists.add(c, at, at + sx) && c < top) version[c] = clock++;
    }
    placed[r] = 1;
    // A node's \`starts\` holds its children's: once one held x already, so do all above it.
    for (let v = (r + leaves) >> (SCAN_LEVELS + 1); v >= 1; v >>= 1) if (!lists.add(starts + v, at, at + sx)) break;
  }
  return { offset, size, arena };
}

/** Levels below the root that keep no path union: nodes from `leaves >> CACHE_SKIP` on. */
const CACHE_SKIP = 7;
/** Nodes of up to 2^SCAN_LEVELS ranks keep no `starts` list: their ranks are scanned instead. */
const SCAN_LEVELS = 3;
const scratch = new IntervalUnion();

/**
 * The lowest start of the smallest hole of size `need` or more in the union of two sorted disjoint
 * lists (`an` numbers of `a` from 0, `bn` of `b` from `bs`), else the union's top (0 if both are empty).
 */
function bestHole(a: Float64Array, an: number, b: Float64Array, bs: number, bn: number, need: number): number {
  let i = 0;
  let j = bs;
  const jEnd = bs + bn;
  let reach = 0;
  let best = -1;
  let bestGap = Infinity;
  while (i < an || j < jEnd) {
    let lo: number;
    let hi: number;
    if (j >= jEnd || (i < an && a[i] <= b[j])) {
      lo = a[i];
      hi = a[i + 1];
      i += 2;
    } else {
      lo = b[j];
      hi = b[j + 1];
      j += 2;
    }
    if (lo > reach) {
      const gap = lo - reach;
      if (gap >= need && gap < bestGap) {
        bestGap = gap;
        best = reach;
      }
      reach = hi;
    } else if (hi > reach) reach = hi;
  }
  return best >= 0 ? best : reach;
}

/**
 * Ranks (positions in allocation order, `m` of them) sorted by size, largest first, ties by earlier
 * allocation: a counting sort when there are few distinct sizes (a trace's tensors repeat their
 * shapes), else one numeric sort of packed keys where they are exact, else a comparison sort.
 */
function sizeOrder(byStart: Int32Array, m: number, size: Float64Array, alignment: number): Int32Array {
  const order = new Int32Array(m);
  const counts = new Map<number, number>();
  for (let r = 0; r < m && counts.size <= FEW_SIZES; r++) {
    const s = size[byStart[r]];
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  if (counts.size <= FEW_SIZES) {
    // Each size's first position in the order, then the ranks in allocation order into their size's.
    const next = new Map<number, number>();
    let at = 0;
    for (const s of [...counts.keys()].sort((p, q) => q - p)) {
      next.set(s, at);
      at += counts.get(s)!;
    }
    for (let r = 0; r < m; r++) {
      const s = size[byStart[r]];
      const k = next.get(s)!;
      order[k] = r;
      next.set(s, k + 1);
    }
    return order;
  }
  let bits = 0;
  while (2 ** bits < m) bits++;
  let largest = 0;
  for (let r = 0; r < m; r++) largest = Math.max(largest, size[byStart[r]] / alignment);
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

/** Above this many distinct sizes, `sizeOrder` sorts instead of counting. */
const FEW_SIZES = 4096;

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
