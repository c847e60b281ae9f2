import type { AllocatorInput } from "../allocator.js";
import type { ReplayPlacement } from "../replayPlacement.js";
import type { ReplaySegment } from "../replayRun.js";
import type { ReplayWasmExports, WasmGlobal } from "./replayWasmExports.js";
import type { WasmPlan } from "./wasmPlan.js";

/** Pool codes of the module's segments (cachingReplay.ts: 0, 1; bfcReplay.ts: 2). */
const POOL_NAMES = ["small", "large", "region"];
// Constants of bfcAllocator.ts (TensorFlow's kMinAllocationSize, the 2 MiB first region of
// allow_growth, max_internal_fragmentation_bytes), for the first region and the split threshold.
const BFC_MIN_ALLOCATION_SIZE = 256;
const BFC_INITIAL_GROWTH_REGION = 2 << 20;
const BFC_MAX_INTERNAL_FRAGMENTATION = 128 << 20;

/** Room for expandable segments' records to start with: this x (allocs + 64). */
const EXPANDABLE_SEGMENT_FACTOR = 2;

const roundedBfc = (bytes: number) => BFC_MIN_ALLOCATION_SIZE * Math.ceil(bytes / BFC_MIN_ALLOCATION_SIZE);

/**
 * What the WebAssembly replay reads: an `AllocatorInput` with the view given as the trace's view
 * bits and the view's bit (the module builds the view mask itself) in place of `inView`.
 */
export interface WasmReplayInput extends Omit<AllocatorInput, "inView"> {
  /** View bits per buffer (`TraceColumns.views`). */
  views: Uint8Array;
  /** The replayed view's bit (`VIEW_BIT`). */
  viewBit: number;
}

/**
 * Runs replay.ts's loop for `plan`'s allocator in the WebAssembly module `wasm`: writes the input
 * columns into its memory (grown before the loop to hold everything the replay needs), runs it (the
 * module also computes freeInReserved, the peaks and the per-buffer columns, see replaySummary.ts),
 * and copies the outputs out with one `slice` into a JS-owned ArrayBuffer, so that no view of the
 * module's memory outlives the call (the next replay overwrites it). The result equals the JS
 * engine's, element by element. Throws if the module traps (memory refused); `replay` then runs the
 * JS engine.
 */
export function wasmReplay(wasm: ReplayWasmExports, plan: WasmPlan, input: WasmReplayInput, emptyCacheAt: Int32Array): ReplayPlacement {
  const { bytes, views, viewBit, eventBuffer, eventAlloc, capacity } = input;
  const nb = bytes.length;
  const n = eventBuffer.length;
  const at = (g: WasmGlobal) => g.value as number;
  wasm.setup(nb, n, emptyCacheAt.length);
  let memory = wasm.memory.buffer;
  new Float64Array(memory, at(wasm.pBytes), nb).set(bytes);
  new Uint8Array(memory, at(wasm.pViews), nb).set(views);
  new Int32Array(memory, at(wasm.pEventBuffer), n).set(eventBuffer);
  new Int32Array(memory, at(wasm.pMarks), emptyCacheAt.length).set(emptyCacheAt);
  new Uint8Array(memory, at(wasm.pEventAlloc), n).set(eventAlloc);
  if (plan.kind === "caching" && plan.divisions) new Int32Array(memory, at(wasm.pDivisions), 16).set(plan.divisions);
  let stop: number;
  if (plan.kind === "caching" && plan.expandableSegments) {
    // As CachingState's constructor: a pool reserves 1 1/8 of the capacity, or 16 TiB without one.
    const addressSpace = Number.isFinite(capacity) ? capacity + capacity / 8 : 2 ** 44;
    // Records: one per mapping, up to two per unmapping; past the room laid out, the module traps
    // with segCount at segCap, and the replay runs again with more room (the inputs are kept).
    for (let factor = EXPANDABLE_SEGMENT_FACTOR; ; factor *= 4) {
      wasm.layout(factor, viewBit);
      try {
        stop = wasm.replayCaching(capacity, plan.maxSplitSize, plan.maxNonSplitRoundingSize, plan.divisions ? 1 : 0, addressSpace);
        break;
      } catch (error) {
        if (at(wasm.segCount) < at(wasm.segCap)) throw error;
      }
    }
  } else if (plan.kind === "caching") {
    wasm.layout(1, viewBit);
    stop = wasm.replayCaching(capacity, plan.maxSplitSize, plan.maxNonSplitRoundingSize, plan.divisions ? 1 : 0, 0);
  } else {
    wasm.layout(1, viewBit);
    // As BfcState's constructor.
    const firstRegion = plan.allowGrowth ? roundedBfc(Math.min(capacity, BFC_INITIAL_GROWTH_REGION)) : roundedBfc(capacity);
    const maxFragmentation = plan.fragmentationFraction > 0 && capacity < Infinity ? plan.fragmentationFraction * capacity : BFC_MAX_INTERNAL_FRAGMENTATION;
    stop = wasm.replayBfc(capacity, firstRegion, maxFragmentation, plan.garbageCollection ? 1 : 0);
  }
  memory = wasm.memory.buffer; // it may have grown
  return copyOut(wasm, memory, stop, n, nb);
}

/**
 * The outputs: one `slice` of the module's memory from the first series to the last column (laid
 * out as replay.ts's JS engine lays out its one ArrayBuffer, see there), viewed as columns.
 */
function copyOut(wasm: ReplayWasmExports, memory: ArrayBuffer, stop: number, n: number, nb: number): ReplayPlacement {
  const at = (g: WasmGlobal) => g.value as number;
  const arena = memory.slice(at(wasm.pReserved), at(wasm.pOutputsEnd));
  let offset = 0;
  const f64 = (length: number) => {
    const a = new Float64Array(arena, offset, length);
    offset += 8 * length;
    return a;
  };
  const i32 = (length: number) => {
    const a = new Int32Array(arena, offset, length);
    offset += 4 * length;
    return a;
  };
  const reserved = f64(n);
  const allocated = f64(n);
  const requested = f64(n);
  const freeInReserved = f64(n);
  const requestedBytes = f64(nb);
  const address = f64(nb);
  const blockBytes = f64(nb);
  const allocAt = i32(nb);
  const freeAt = i32(nb);
  const segmentOf = i32(nb);
  const count = at(wasm.segCount);
  const segAddress = new Float64Array(memory, at(wasm.pSegAddress), count);
  const segBytes = new Float64Array(memory, at(wasm.pSegBytes), count);
  const segPool = new Int32Array(memory, at(wasm.pSegPool), count);
  const segReservedAt = new Int32Array(memory, at(wasm.pSegReservedAt), count);
  const segReleasedAt = new Int32Array(memory, at(wasm.pSegReleasedAt), count);
  const segments: ReplaySegment[] = new Array(count);
  for (let s = 0; s < count; s++) {
    segments[s] = { address: segAddress[s], bytes: segBytes[s], pool: POOL_NAMES[segPool[s]], reservedAt: segReservedAt[s], releasedAt: segReleasedAt[s] };
  }
  return {
    stop,
    reservedAtEnd: at(wasm.reservedAtEnd),
    allocatedAtEnd: at(wasm.allocatedAtEnd),
    lastAttempt: at(wasm.lastAttempt),
    reserved,
    allocated,
    requested,
    freeInReserved,
    summary: [
      at(wasm.peakReserved),
      at(wasm.peakReservedAt),
      at(wasm.peakAllocated),
      at(wasm.peakAllocatedAt),
      at(wasm.peakRequested),
      at(wasm.peakRequestedAt),
      at(wasm.fullestAt),
    ],
    largestFree: at(wasm.largestFreeAtFullest),
    requestedBytes,
    allocAt,
    freeAt,
    address,
    blockBytes,
    segmentOf,
    segments,
  };
}
