import type { Allocator, AllocatorInput, AllocatorState } from "../allocator.js";
import type { ReplaySegment } from "../replayRun.js";
import { PlacementState } from "./placementState.js";
import { IntervalLists } from "./intervalLists.js";
import { IntervalUnion } from "./intervalUnion.js";
import { PathUnions } from "./pathUnions.js";
import { bestHole } from "./bestHole.js";
import { cachedPlan } from "./planCache.js";
import { planRanks } from "./planRanks.js";
import { PLAN_PROGRESS_EVERY } from "./planProgress.js";
import { replayWasmInstance } from "../wasm/replayWasmInstance.js";
import type { PlanWasmExports } from "../wasm/planWasmExports.js";
import { wasmPlanArena } from "../wasm/wasmPlanArena.js";

/** TFLite aligns arena tensors to 64 bytes (kDefaultTensorAlignment, tensorflow/lite/arena_planner.h). */
export const TFLITE_TENSOR_ALIGNMENT = 64;

export interface PlannedArenaOptions {
  /** Every buffer's offset and size are rounded up to this many bytes. @defaultValue 64 (TFLite) */
  alignment?: number;
  /**
   * Called while the plan is made (before the replay's first event): with the buffers placed so
   * far and the buffers to place, every `PLAN_PROGRESS_EVERY` placements and once at the end
   * (`placed === total`). Planning a long, busy trace can take seconds; this lets a caller show how
   * far it is. A replay that reuses a plan (see `plannedArena`) calls it once, with everything
   * placed. @defaultValue none
   */
  onProgress?: (placed: number, total: number) => void;
}

export { PLAN_PROGRESS_EVERY } from "./planProgress.js";

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
 * A plan depends on neither the capacity nor emptyCache marks: it is made once per trace, view and
 * alignment and kept with the trace's columns, so replays at other capacities reuse it (their
 * `onProgress` is called once, with everything placed).
 * The plan runs in the replay's WebAssembly module where it compiles (`planArenaWith`,
 * packages/core/wasm/planArena.ts: the same offsets, checked by property tests and on the 1M-event
 * bench traces), else in JS; the replay of the plan itself runs in JS.
 */
export function plannedArena(options: PlannedArenaOptions = {}): PlannedArena {
  const alignment = options.alignment ?? TFLITE_TENSOR_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment < 1) {
    throw new Error(`plannedArena: alignment must be a positive whole number of bytes; got ${alignment}`);
  }
  const onProgress = options.onProgress;
  if (onProgress !== undefined && typeof onProgress !== "function") {
    throw new Error(`plannedArena: onProgress must be a function (placed, total) => void; got ${typeof onProgress}`);
  }
  return { name: "planned", alignment, start: (input) => new PlannedState(input, alignment, onProgress) };
}

/** How `planArena` shapes its tree (for tests: the defaults suit traces of any size). */
export interface PlanShape {
  /** Levels above the leaves without a cached path union: nodes from `leaves >> cacheSkip` on. @defaultValue 7 */
  cacheSkip?: number;
  /** Nodes of up to 2^scanLevels ranks (at most 2^24) keep no `starts` list: their ranks are scanned. @defaultValue 3 */
  scanLevels?: number;
  /** As `PlannedArenaOptions.onProgress`. */
  onProgress?: (placed: number, total: number) => void;
}

/**
 * Offsets of every buffer of the view (NaN for buffers not planned) and the arena size.
 *
 * Exactly TFLite's greedy by size, made fast by asking only what the placement needs. For a buffer x,
 * greedy by size looks at the placed buffers whose lifetimes overlap x's, sorted by offset, and takes
 * the smallest gap between them that fits (the lowest of equal ones), else the top. Those gaps are
 * exactly the holes of the union of the placed buffers' offset ranges, so the planner keeps unions
 * instead of buffers. Lifetimes are taken in allocation ranks, [r, R] (x's own rank, the rank of the
 * last allocation before it is freed), where two lifetimes overlap exactly when their rank ranges do;
 * a placed buffer y overlaps x exactly when
 * - y was allocated within x's lifetime (r <= r_y <= R), or
 * - y is alive at x's allocation (r_y < r <= R_y, or any y whose range holds r).
 * A segment tree over ranks answers both with merged interval lists (each a union, so it stays short,
 * a few intervals, however many buffers it holds):
 * - `starts` of a node: the union of the placed buffers allocated at one of its ranks; the first
 *   kind is the union of the `starts` of the O(log m) canonical pieces of [r, R] (pieces of at most
 *   2^scanLevels ranks scan their ranks instead);
 * - `cover` of a node: the union of the placed buffers of which it is a canonical piece; the second
 *   kind is the union of the covers on the path from rank r's leaf to the root. The covers near the
 *   root (long-lived buffers) rarely change: the union of a node's and its ancestors' covers is kept
 *   for the upper levels (`PathUnions`), so the path costs its lowest `cacheSkip` levels and one list.
 * The best hole is found in one sweep of three sorted lists (`bestHole`): the cached path union, the
 * longest other list, and the union of all the others (merged shortest first), stopping at the first
 * hole of exactly x's size. Placing x adds its offset
 * range to the covers of its pieces and to the `starts` of its rank's ancestors, up to the first that
 * held it already. Each placement costs O(log m) list operations, O(m log m) in all for m buffers
 * when unions are compact, against O(m·k log k) for k overlapping buffers each. On a training trace
 * (bench/trainingTrace.ts, 1M events, 500k buffers) a placement merges about 6 non-empty lists
 * and adds to about 9. Counted on the bench's 1M-entry snapshot (332,680 buffers): the lists a
 * placement sweeps (8.5 non-empty, the scanned ranks' union and the path union included) hold about
 * 222 intervals in all, their union has about 97 holes, and 1 placement in 25 finds a hole of
 * exactly its size (training trace: 7.8 lists, 52 intervals, 22 holes, 1 in 4).
 * Measured and dropped (2026-12-03, 1M-event training trace and 1M-entry snapshot): sweeping every
 * list lazily, so that nothing is written and an exact hole stops the reading: a k-way merge by
 * next start (wasm 1.3x slower on both) or visiting the lists in turn, each skipping what lies below
 * the reach (JS 1.5-1.8x, wasm 1.8-1.9x slower). With about 8 lists, choosing the next interval
 * costs more than the two-list merges do, and exact holes are too rare to make up for it.
 * This is the reference and the fallback: `plannedArena` runs the same loop ported to WebAssembly
 * (packages/core/wasm/planArena.ts, over the same `planRanks`) where it can (`planArenaWith`).
 */
export function planArena(input: AllocatorInput, alignment: number, shape: PlanShape = {}): { offset: Float64Array; size: Float64Array; arena: number } {
  const onProgress = shape.onProgress;
  const cacheSkip = shape.cacheSkip ?? 7;
  const scanLevels = Math.min(shape.scanLevels ?? 3, 24);
  const { m, byStart, lastRank, size, offset, order } = planRanks(input, alignment);
  if (m === 0) {
    onProgress?.(0, 0);
    return { offset, size, arena: 0 };
  }
  let leaves = 1;
  let depth = 0;
  while (leaves < m) {
    leaves *= 2;
    depth++;
  }
  // Node i's `cover` is list i; its `starts` (nodes of more than 2^scanLevels ranks, i < low) list
  // 2 * leaves + i. About 15 numbers a buffer on the training trace.
  const low = Math.max(1, leaves >> scanLevels);
  const lists = new IntervalLists(2 * leaves + low, 16 * m);
  const starts = 2 * leaves;
  const placed = new Uint8Array(m);
  // Nodes below `top` keep their path union.
  const top = 1 << Math.max(1, depth - cacheSkip);
  const paths = new PathUnions(lists, top);
  const canonical = new Int32Array(64);
  // The lists a placement merges: at most one per piece and one per level.
  const pending = new Int32Array(128);
  const union = new IntervalUnion();
  let arena = 0;
  for (let k = 0; k < m; k++) {
    if (onProgress && k > 0 && (k & (PLAN_PROGRESS_EVERY - 1)) === 0) onProgress(k, m);
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
    // The placed buffers allocated within x's lifetime: the `starts` of the pieces of more than
    // 2^scanLevels ranks, the ranks of the others scanned; then those alive at its allocation: the
    // covers on the path from its leaf (the upper ones cached). The longest list is left to the sweep.
    // Single intervals go in first and the lists shortest first: each merge rewrites the union
    // made so far, so the union grows as late as it can.
    let count = 0;
    union.clear();
    for (let j = 0; j < pieces; j++) {
      const c = canonical[j];
      if (c < low) {
        if (lists.length[starts + c] !== 0) pending[count++] = starts + c;
      } else {
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
    for (; a >= top; a >>= 1) if (lists.length[a] !== 0) pending[count++] = a;
    // Shortest first (insertion sort: a few lists); the longest, last, is left to the sweep.
    for (let i = 1; i < count; i++) {
      const l = pending[i];
      const len = lists.length[l];
      let j = i - 1;
      while (j >= 0 && lists.length[pending[j]] > len) {
        pending[j + 1] = pending[j];
        j--;
      }
      pending[j + 1] = l;
    }
    const longest = count > 0 ? pending[--count] : -1;
    for (let i = 0; i < count; i++) union.addList(lists, pending[i]);
    const path = paths.of(a);
    const ln = longest < 0 ? 0 : lists.length[longest];
    const ls = longest < 0 ? 0 : lists.start[longest];
    const p = paths.lists;
    const at = bestHole(union.list, union.length, lists.data, ls, ln, p.data, p.start[path], p.length[path], sx);
    offset[x] = at;
    if (at + sx > arena) arena = at + sx;
    for (let j = 0; j < pieces; j++) {
      const c = canonical[j];
      if (lists.add(c, at, at + sx) && c < top) paths.changed(c);
    }
    placed[r] = 1;
    // A node's `starts` holds its children's: once one held x already, so do all above it.
    for (let v = (r + leaves) >> (scanLevels + 1); v >= 1; v >>= 1) if (!lists.add(starts + v, at, at + sx)) break;
  }
  onProgress?.(m, m);
  return { offset, size, arena };
}

/** Which code makes the plan: `auto` (WebAssembly where it compiles, else JS), or one forced (tests, benchmarks). */
export type PlanEngine = "auto" | "js" | "wasm";

/**
 * `planArena`'s offsets and arena, made by `engine`: with `auto` (what `plannedArena` uses), in the
 * replay's WebAssembly module when it compiles here (`replayWasmInstance()`,
 * packages/core/wasm/planArena.ts: the same placements, in chunks so that `onProgress` is called
 * exactly as the JS loop calls it), else in JS; if the module traps (memory refused, or a replay or
 * another plan ran on the instance from `onProgress`), the plan is made again in JS, without
 * repeating the progress calls already made. `js` and `wasm` force an engine (`wasm` throws where
 * it cannot run). Errors thrown by `onProgress` propagate, as from `planArena`.
 */
export function planArenaWith(input: AllocatorInput, alignment: number, shape: PlanShape = {}, engine: PlanEngine = "auto"): { offset: Float64Array; size: Float64Array; arena: number } {
  if (engine === "js") return planArena(input, alignment, shape);
  const wasm = replayWasmInstance() as unknown as PlanWasmExports | null;
  if (!wasm) {
    if (engine === "wasm") throw new Error("planArena: WebAssembly cannot be compiled here");
    return planArena(input, alignment, shape);
  }
  const user = shape.onProgress;
  let reported = -1;
  let userError: { error: unknown } | null = null;
  const onProgress = user
    ? (placed: number, total: number) => {
        reported = placed;
        try {
          user(placed, total);
        } catch (error) {
          userError = { error };
          throw error;
        }
      }
    : undefined;
  const cacheSkip = shape.cacheSkip ?? 7;
  const scanLevels = Math.min(shape.scanLevels ?? 3, 24);
  try {
    return wasmPlanArena(wasm, input, alignment, cacheSkip, scanLevels, onProgress);
  } catch (error) {
    if (userError || engine === "wasm") throw error;
    return planArena(input, alignment, { ...shape, onProgress: user && ((placed, total) => void (placed > reported && user(placed, total))) });
  }
}

/** One replay of a plan (a class, so that replays share its optimised methods). */
class PlannedState extends PlacementState implements AllocatorState {
  private readonly offset: Float64Array;
  private readonly size: Float64Array;
  private readonly arena: number;

  constructor(input: AllocatorInput, alignment: number, onProgress: ((placed: number, total: number) => void) | undefined) {
    super(input);
    // Planned once per trace, view and alignment (see `cachedPlan`): other capacities reuse it.
    const plan = cachedPlan(input, alignment, onProgress, (i, a, progress) => planArenaWith(i, a, { onProgress: progress }));
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
