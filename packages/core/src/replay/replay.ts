import type { Allocator, AllocatorInput, AllocatorState } from "./allocator.js";
import { bufferAt } from "../trace/lazyTrace.js";
import { formatBytes } from "../units/formatBytes.js";
import { parseByteSize } from "../units/parseByteSize.js";
import type { Fragmentation, OomReport, ReplayRun } from "./replayRun.js";
import type { ReplayPlacement } from "./replayPlacement.js";
import { wasmEngine } from "./wasm/wasmEngine.js";
import { largestFreeAt } from "./largestFreeAt.js";
import type { Trace, View } from "../trace/trace.js";
import { traceColumns, VIEW_BIT } from "../trace/traceColumns.js";

export interface ReplayOptions {
  /**
   * Device capacity: bytes, or a size text such as `"24GB"` or `"80GiB"` (see `parseByteSize`).
   * An allocation that does not fit ends the replay with an OOM report. @defaultValue unlimited
   */
  capacity?: number | string;
  /**
   * Bytes of the device held outside the allocator (the CUDA context, library workspaces): the
   * allocator gets `capacity - outside`, and an OOM report says, as PyTorch does, how much the
   * process has in use including it. @defaultValue 0
   */
  outside?: number;
  /**
   * Which buffers the allocator sees. `backend` is what a framework's allocator really serves:
   * physical buffers plus kernel temporaries. @defaultValue `"backend"`
   */
  view?: View;
}

/** The label of a trace mark that releases cached segments there (`torch.cuda.empty_cache()`). */
export const EMPTY_CACHE = "emptyCache";

/**
 * Replays a trace through an allocator model: reserved, allocated (rounded) and requested bytes
 * after every event, their peaks, fragmentation at the reserved peak, where every block went, and
 * the first allocation that did not fit in `capacity` (the replay stops there).
 * Runs on the columnar form of the trace; memory is a few typed arrays per event and per buffer.
 */
export function replay(trace: Trace, allocator: Allocator, options: ReplayOptions = {}): ReplayRun {
  return replayWith(trace, allocator, options, "auto");
}

/**
 * Which engine runs a replay's loop: `auto` (WebAssembly when the allocator and the platform allow
 * it, else JS: what `replay` does), `js`, or `wasm` (throws where it cannot run). Internal: for
 * tests and benchmarks; both engines give the same run, element by element.
 */
export type ReplayEngine = "auto" | "js" | "wasm";

/** `replay` with its loop run by `engine` (internal; not exported from the package). */
export function replayWith(trace: Trace, allocator: Allocator, options: ReplayOptions, engine: ReplayEngine): ReplayRun {
  if (!allocator || typeof allocator.start !== "function" || typeof allocator.name !== "string") {
    throw new Error("replay: the second argument must be an allocator such as cachingAllocator(), bfcAllocator(), plannedArena() or ideal()");
  }
  const view = options.view ?? "backend";
  if (!(view in VIEW_BIT)) {
    throw new Error(`replay: unknown view ${JSON.stringify(view)}; accepted: logical, physical, backend`);
  }
  const capacity = options.capacity === undefined ? Infinity : parseByteSize(options.capacity, "replay: capacity");
  const outside = options.outside ?? 0;
  if (!(Number.isFinite(outside) && outside >= 0) || (outside > 0 && outside >= capacity)) {
    throw new Error(`replay: outside must be a number of bytes >= 0 and below the capacity (${capacity}), got ${String(outside)}`);
  }
  const bit = VIEW_BIT[view];
  const { bytes, views, eventBuffer, eventAlloc } = traceColumns(trace);
  const nb = bytes.length;
  const n = eventBuffer.length;

  const emptyCacheAt = Int32Array.from(
    trace.marks.filter((m) => m.label === EMPTY_CACHE).map((m) => m.at),
  ).sort();
  // The module builds its view mask itself; the JS engine gets one.
  const placed =
    (engine === "js" ? null : wasmEngine(allocator, { bytes, views, viewBit: bit, eventBuffer, eventAlloc, capacity: capacity - outside }, emptyCacheAt, engine === "wasm")) ??
    jsEngine(allocator, { bytes, inView: viewMask(views, bit), eventBuffer, eventAlloc, capacity: capacity - outside }, emptyCacheAt);
  const { reserved, allocated, requested, freeInReserved, stop } = placed;
  const length = stop < 0 ? n : stop + 1;
  let oom: OomReport | null = null;
  if (stop >= 0) {
    const b = eventBuffer[stop];
    oom = oomReport(trace, allocator.name, stop, b, bytes[b], capacity, outside, placed.reservedAtEnd, placed.allocatedAtEnd, placed.lastAttempt);
  }
  const summary = placed.summary ?? summarize(reserved, allocated, requested, freeInReserved, length);

  const cut = (a: Float64Array) => (length < n ? a.slice(0, length) : a);
  const run: ReplayRun = {
    allocator: plainOptions(allocator),
    view,
    capacity: capacity === Infinity ? null : capacity,
    length,
    reserved: cut(reserved),
    allocated: cut(allocated),
    requested: cut(requested),
    peaks: {
      reserved: { bytes: summary[0], index: summary[1] },
      allocated: { bytes: summary[2], index: summary[3] },
      requested: { bytes: summary[4], index: summary[5] },
    },
    freeInReserved: cut(freeInReserved),
    fragmentationAtPeak: undefined as unknown as Fragmentation,
    address: placed.address,
    blockBytes: placed.blockBytes,
    segmentOf: placed.segmentOf,
    allocAt: placed.allocAt,
    freeAt: placed.freeAt,
    requestedBytes: placed.requestedBytes,
    segments: placed.segments,
    oom,
  };
  // The engine may have computed the largest free block at the fullest event already (the module does).
  run.fragmentationAtPeak = fragmentation(run, summary[6], placed.largestFree);
  return run;
}

/**
 * The JS engine: the allocator's own state, run by `replayEvents`. Every output array is a view of
 * one ArrayBuffer, allocated after the allocator's arrays and before the loop. V8 runs a
 * young-generation collection before an ArrayBuffer allocation once young ArrayBuffers hold
 * 2 x 16 MiB (Heap::AllocateExternalBackingStore); output that survives two of those is promoted and
 * then costs a full mark of the heap (the trace) to free. One allocation per replay and none in the
 * loop (the loop allocates nothing at all) keep a replay's output young, so a run that is dropped is
 * freed by the next replay's young collection.
 */
function jsEngine(allocator: Allocator, input: AllocatorInput, emptyCacheAt: Int32Array): ReplayPlacement {
  const { bytes, inView, eventBuffer, eventAlloc } = input;
  const nb = bytes.length;
  const n = eventBuffer.length;
  const state = allocator.start(input);
  const arena = new ArrayBuffer(8 * (4 * n + nb) + 4 * 2 * nb);
  const reserved = new Float64Array(arena, 0, n);
  const allocated = new Float64Array(arena, 8 * n, n);
  const requested = new Float64Array(arena, 16 * n, n);
  const freeInReserved = new Float64Array(arena, 24 * n, n);
  const requestedBytes = new Float64Array(arena, 32 * n, nb);
  const allocAt = new Int32Array(arena, 32 * n + 8 * nb, nb).fill(-1);
  const freeAt = new Int32Array(arena, 32 * n + 12 * nb, nb).fill(-1);
  const stop = replayEvents(state, bytes, inView, eventBuffer, eventAlloc, emptyCacheAt, reserved, allocated, requested, allocAt, freeAt, requestedBytes);
  return {
    stop,
    reservedAtEnd: state.totals[0],
    allocatedAtEnd: state.totals[1],
    lastAttempt: state.lastAttempt,
    reserved,
    allocated,
    requested,
    freeInReserved,
    requestedBytes,
    allocAt,
    freeAt,
    address: state.address,
    blockBytes: state.blockBytes,
    segmentOf: state.segmentOf,
    segments: state.segments,
  };
}

/**
 * The replay loop, kept apart so that it is compiled once for its typed arrays: calls the
 * allocator for every event of the view and records the totals after each. Empty-cache marks at or
 * before an event release before it; those after the last event release at the end. Returns the
 * index of the event that ran out of memory (its totals recorded, nothing after it), or -1.
 */
function replayEvents(
  state: AllocatorState,
  bytes: Float64Array,
  inView: Uint8Array,
  eventBuffer: Int32Array,
  eventAlloc: Uint8Array,
  emptyCacheAt: Int32Array,
  reserved: Float64Array,
  allocated: Float64Array,
  requested: Float64Array,
  allocAt: Int32Array,
  freeAt: Int32Array,
  requestedBytes: Float64Array,
): number {
  const n = eventBuffer.length;
  const totals = state.totals;
  let live = 0;
  let mark = 0;
  let nextMark = emptyCacheAt.length > 0 ? emptyCacheAt[0] : n + 1;
  for (let i = 0; i < n; i++) {
    while (nextMark <= i) {
      state.emptyCache(i);
      mark++;
      nextMark = mark < emptyCacheAt.length ? emptyCacheAt[mark] : n + 1;
    }
    const b = eventBuffer[i];
    if (inView[b] !== 0) {
      if (eventAlloc[i] !== 0) {
        const size = bytes[b];
        if (!state.alloc(b, i)) {
          reserved[i] = totals[0];
          allocated[i] = totals[1];
          requested[i] = live;
          return i;
        }
        allocAt[b] = i;
        requestedBytes[b] = size;
        live += size;
      } else if (allocAt[b] >= 0) {
        state.free(b, i);
        freeAt[b] = i;
        live -= bytes[b];
      }
    }
    reserved[i] = totals[0];
    allocated[i] = totals[1];
    requested[i] = live;
  }
  // Marks after the last event still release (they show in the segments' `releasedAt`).
  while (mark < emptyCacheAt.length) state.emptyCache(emptyCacheAt[mark++]);
  return -1;
}

/**
 * 1 where a buffer's view bits hold `bit`. Its own small function: a loop over every buffer in
 * `replay` itself ran unoptimised (about 80 ns a buffer, 40 ms for 500k buffers), since `replay`
 * runs once per replay and is too large to be compiled on the spot; here it is (about 2 ms).
 */
function viewMask(views: Uint8Array, bit: number): Uint8Array {
  const nb = views.length;
  const inView = new Uint8Array(nb);
  for (let b = 0; b < nb; b++) inView[b] = views[b] & bit ? 1 : 0;
  return inView;
}

/**
 * One pass over a run's series (its own function, so that it is optimised as a whole): writes
 * `freeInReserved[i] = reserved[i] - allocated[i]` and returns, as numbers, each series' peak (the
 * first maximum above 0, index -1 when none) and the fullest event of the reserved peak: of the
 * events where reserved bytes are at their peak, the first with the most allocated bytes (reserved
 * memory is then at its fullest, so its free space is the fragmentation that matters).
 * `[reserved, at, allocated, at, requested, at, fullest]`.
 */
function summarize(reserved: Float64Array, allocated: Float64Array, requested: Float64Array, freeInReserved: Float64Array, length: number): number[] {
  let rBytes = 0;
  let rAt = -1;
  let aBytes = 0;
  let aAt = -1;
  let qBytes = 0;
  let qAt = -1;
  let fullest = -1;
  for (let i = 0; i < length; i++) {
    const r = reserved[i];
    const a = allocated[i];
    freeInReserved[i] = r - a;
    if (r > rBytes) {
      rBytes = r;
      rAt = i;
      fullest = i;
    } else if (rAt >= 0 && r === rBytes && a > allocated[fullest]) fullest = i;
    if (a > aBytes) {
      aBytes = a;
      aAt = i;
    }
    if (requested[i] > qBytes) {
      qBytes = requested[i];
      qAt = i;
    }
  }
  return [rBytes, rAt, aBytes, aAt, qBytes, qAt, fullest];
}

/** Fragmentation facts after event `index` of a run (see `Fragmentation`). */
export function fragmentationAt(run: ReplayRun, index: number): Fragmentation {
  return fragmentation(run, index, undefined);
}

/** `fragmentationAt`, with the largest free block there when it is `known` already (bytes). */
function fragmentation(run: ReplayRun, index: number, known: number | undefined): Fragmentation {
  if (index < 0) return { index, reserved: 0, allocated: 0, requested: 0, internal: 0, external: 0, largestFree: 0, ratio: 0 };
  const reserved = run.reserved[index];
  const allocated = run.allocated[index];
  const requested = run.requested[index];
  const available = reserved - allocated;
  const largestFree = available > 0 ? (known ?? largestFreeAt(run, index)) : 0;
  return {
    index,
    reserved,
    allocated,
    requested,
    internal: allocated - requested,
    external: available,
    largestFree,
    ratio: available > 0 ? (available - largestFree) / available : 0,
  };
}

function plainOptions(allocator: Allocator): ReplayRun["allocator"] {
  const out: ReplayRun["allocator"] = { name: allocator.name };
  for (const [k, v] of Object.entries(allocator)) if (typeof v !== "function") out[k] = Array.isArray(v) ? [...v] : v;
  return out;
}

function oomReport(
  trace: Trace,
  name: string,
  index: number,
  buffer: number,
  requested: number,
  capacity: number,
  outside: number,
  reserved: number,
  allocated: number,
  attempted: number,
): OomReport {
  const free = Math.max(0, capacity - outside - reserved);
  const id = bufferAt(trace, buffer).id;
  const who = name === "caching" ? "PyTorch" : `the ${name} allocator`;
  const hint =
    name === "caching"
      ? " If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation."
      : "";
  const message =
    `out of memory at event ${index} (buffer ${id}, ${formatBytes(requested)} requested). ` +
    `Tried to allocate ${formatBytes(attempted)}. Device has a total capacity of ${formatBytes(capacity)} of which ${formatBytes(free)} is free. ` +
    (outside > 0 ? `Including ${formatBytes(outside)} outside the allocator, this process has ${formatBytes(outside + reserved)} memory in use. ` : "") +
    `Of the allocated memory ${formatBytes(allocated)} is allocated by ${who}, and ${formatBytes(reserved - allocated)} is reserved by ${who} but unallocated.` +
    hint;
  return { index, buffer: id, requested, capacity, free, allocated, reservedUnallocated: reserved - allocated, attempted, message };
}
