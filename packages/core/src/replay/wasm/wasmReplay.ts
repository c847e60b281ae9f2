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
 * Runs replay.ts's loop for `plan`'s allocator in the WebAssembly module `wasm`: writes the inputs
 * into its memory (grown before the loop to hold everything the replay needs), runs it, and copies
 * the outputs into one JS-owned ArrayBuffer, so that no view of the module's memory outlives the
 * call (the next replay overwrites it). The result equals the JS engine's, element by element.
 * Throws if the module traps (memory refused); `replay` then runs the JS engine.
 */
export function wasmReplay(wasm: ReplayWasmExports, plan: WasmPlan, input: AllocatorInput, emptyCacheAt: Int32Array): ReplayPlacement {
  const { bytes, inView, eventBuffer, eventAlloc, capacity } = input;
  const nb = bytes.length;
  const n = eventBuffer.length;
  const at = (g: WasmGlobal) => g.value as number;
  wasm.setup(nb, n, emptyCacheAt.length);
  let memory = wasm.memory.buffer;
  writeBufferRecords(memory, at(wasm.pBuffers), bytes, inView);
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
      wasm.layout(factor);
      try {
        stop = wasm.replayCaching(capacity, plan.maxSplitSize, plan.maxNonSplitRoundingSize, plan.divisions ? 1 : 0, addressSpace);
        break;
      } catch (error) {
        if (at(wasm.segCount) < at(wasm.segCap)) throw error;
      }
    }
  } else if (plan.kind === "caching") {
    wasm.layout(1);
    stop = wasm.replayCaching(capacity, plan.maxSplitSize, plan.maxNonSplitRoundingSize, plan.divisions ? 1 : 0, 0);
  } else {
    wasm.layout(1);
    // As BfcState's constructor.
    const firstRegion = plan.allowGrowth ? roundedBfc(Math.min(capacity, BFC_INITIAL_GROWTH_REGION)) : roundedBfc(capacity);
    const maxFragmentation = plan.fragmentationFraction > 0 && capacity < Infinity ? plan.fragmentationFraction * capacity : BFC_MAX_INTERNAL_FRAGMENTATION;
    stop = wasm.replayBfc(capacity, firstRegion, maxFragmentation, plan.garbageCollection ? 1 : 0);
  }
  memory = wasm.memory.buffer; // it may have grown
  return copyOut(wasm, memory, stop, n, nb);
}

/** The outputs, copied from the module's memory into one new ArrayBuffer (one allocation, see replay.ts). */
function copyOut(wasm: ReplayWasmExports, memory: ArrayBuffer, stop: number, n: number, nb: number): ReplayPlacement {
  const at = (g: WasmGlobal) => g.value as number;
  const arena = new ArrayBuffer(8 * (4 * n + 3 * nb) + 4 * 3 * nb);
  let offset = 0;
  const f64 = (length: number, from: WasmGlobal | null) => {
    const a = new Float64Array(arena, offset, length);
    offset += 8 * length;
    if (from) a.set(new Float64Array(memory, at(from), length));
    return a;
  };
  const i32 = (length: number) => {
    const a = new Int32Array(arena, offset, length);
    offset += 4 * length;
    return a;
  };
  const reserved = f64(n, wasm.pReserved);
  const allocated = f64(n, wasm.pAllocated);
  const requested = f64(n, wasm.pRequested);
  const freeInReserved = f64(n, null);
  const requestedBytes = f64(nb, null);
  const address = f64(nb, null);
  const blockBytes = f64(nb, null);
  const allocAt = i32(nb);
  const freeAt = i32(nb);
  const segmentOf = i32(nb);
  readBufferRecords(memory, at(wasm.pBuffers), nb, address, blockBytes, requestedBytes, allocAt, freeAt, segmentOf);
  if (stop >= 0 && stop + 1 < n) {
    // The module leaves events after an OOM untouched (stale from an earlier replay); JS leaves 0.
    reserved.fill(0, stop + 1);
    allocated.fill(0, stop + 1);
    requested.fill(0, stop + 1);
  }
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
    requestedBytes,
    allocAt,
    freeAt,
    address,
    blockBytes,
    segmentOf,
    segments,
  };
}

// Buffer records (replayLayout.ts): 64 bytes, so 8 f64 or 16 i32 per record.
const F64_PER_RECORD = 8;
const I32_PER_RECORD = 16;
const U8_PER_RECORD = 64;

/** Writes each buffer's requested bytes (f64 at 0) and view flag (u8 at 48) into its record. Its own function, so that it is optimised as a whole. */
function writeBufferRecords(memory: ArrayBuffer, at: number, bytes: Float64Array, inView: Uint8Array): void {
  const nb = bytes.length;
  const f = new Float64Array(memory, at, nb * F64_PER_RECORD);
  const u = new Uint8Array(memory, at, nb * U8_PER_RECORD);
  for (let b = 0; b < nb; b++) {
    f[b * F64_PER_RECORD] = bytes[b];
    u[b * U8_PER_RECORD + 48] = inView[b];
  }
}

/** Copies the per-buffer outputs out of the records into their columns. */
function readBufferRecords(
  memory: ArrayBuffer,
  at: number,
  nb: number,
  address: Float64Array,
  blockBytes: Float64Array,
  requestedBytes: Float64Array,
  allocAt: Int32Array,
  freeAt: Int32Array,
  segmentOf: Int32Array,
): void {
  const f = new Float64Array(memory, at, nb * F64_PER_RECORD);
  const i = new Int32Array(memory, at, nb * I32_PER_RECORD);
  for (let b = 0; b < nb; b++) {
    const fb = b * F64_PER_RECORD;
    const ib = b * I32_PER_RECORD;
    address[b] = f[fb + 1];
    blockBytes[b] = f[fb + 2];
    requestedBytes[b] = f[fb + 3];
    allocAt[b] = i[ib + 8];
    freeAt[b] = i[ib + 9];
    segmentOf[b] = i[ib + 10];
  }
}
