// Where a replay's data sit in linear memory. Inputs: the per-buffer columns as replay.ts has them
// (bytes, view bits), the per-event inputs, the emptyCache marks and the rounding divisions. Then one
// 64-byte record per buffer (its inputs and outputs together: an event touches one cache line of its
// buffer, not one per column), built from the columns by `layout`. Then the outputs, laid out as
// replay.ts's JS engine lays out its one ArrayBuffer (the series per event, then the columns per
// buffer), so that the driver copies them out with one `slice`; then the segments, then the block
// store (last, so that it grows in place). The JS driver (src/replay/wasm/wasmReplay.ts) calls
// `setup`, writes the inputs at these offsets, calls `layout`, runs an allocator's replay (which
// ends with `finish`, replaySummary.ts) and copies the outputs out. Sizes are f64 bytes, indexes i32,
// flags u8, as in replay.ts's typed arrays.
import { ensureMemory, storeInit } from "./blockStore";

/** Record bytes of one block in the store (blockStore.ts's STRIDE). */
const BLOCK_BYTES: usize = 64;

export let nb: i32 = 0;
export let n: i32 = 0;
export let marks: i32 = 0;
/** Room for segments: at most one per alloc event in the view. */
export let segCap: i32 = 0;
export let segCount: i32 = 0;
/** Bytes of a buffer record, and its fields' offsets. */
export const BUFFER_RECORD: usize = 64;
export const B_BYTES: usize = 0; // f64 in: requested bytes
export const B_ADDRESS: usize = 8; // f64 out (-1 when never placed)
export const B_BLOCK_BYTES: usize = 16; // f64 out
export const B_REQUESTED_BYTES: usize = 24; // f64 out
export const B_ALLOC_AT: usize = 32; // i32 out (-1)
export const B_FREE_AT: usize = 36; // i32 out (-1)
export const B_SEGMENT_OF: usize = 40; // i32 out (-1)
export const B_BLOCK_OF: usize = 44; // i32 scratch: the live block (-1)
export const B_IN_VIEW: usize = 48; // u8 in
// Inputs.
export let pBytes: usize = 0; // f64 per buffer: requested bytes
export let pEventBuffer: usize = 0; // i32 per event
export let pMarks: usize = 0; // i32 per emptyCache mark, sorted
export let pDivisions: usize = 0; // i32 x 16: roundup_power2_divisions per interval from 1 MiB
export let pEventAlloc: usize = 0; // u8 per event
export let pViews: usize = 0; // u8 per buffer: view bits (traceColumns.ts)
// A buffer record per buffer (64-aligned), built by `layout`.
export let pBuffers: usize = 0;
// Outputs, contiguous from pReserved to pOutputsEnd, in replay.ts's order.
export let pReserved: usize = 0; // f64 per event
export let pAllocated: usize = 0; // f64 per event
export let pRequested: usize = 0; // f64 per event
export let pFreeInReserved: usize = 0; // f64 per event
export let pRequestedBytes: usize = 0; // f64 per buffer
export let pAddress: usize = 0; // f64 per buffer
export let pBlockBytes: usize = 0; // f64 per buffer
export let pAllocAt: usize = 0; // i32 per buffer
export let pFreeAt: usize = 0; // i32 per buffer
export let pSegmentOf: usize = 0; // i32 per buffer
export let pOutputsEnd: usize = 0;
export let pSegAddress: usize = 0; // f64 per segment
export let pSegBytes: usize = 0; // f64 per segment
export let pSegReservedAt: usize = 0; // i32 per segment
export let pSegReleasedAt: usize = 0; // i32 per segment
export let pSegPool: usize = 0; // i32 per segment: 0 small, 1 large, 2 region
export let pSegLive: usize = 0; // i32 per segment: expandable segments' live records, by address
let inputsEnd: usize = 0;

@inline function align8(x: usize): usize {
  return (x + 7) & ~(<usize>7);
}

@inline function align64(x: usize): usize {
  return (x + 63) & ~(<usize>63);
}

/** The record of buffer `b`. */
@inline export function bufferRecord(b: i32): usize {
  return pBuffers + <usize>b * BUFFER_RECORD;
}

/**
 * Lays out (and grows memory for) the inputs of a replay of `buffers` buffers, `events` events and
 * `markCount` emptyCache marks; the driver then writes them.
 */
export function setup(buffers: i32, events: i32, markCount: i32): void {
  nb = buffers;
  n = events;
  marks = markCount;
  segCount = 0;
  const B = <usize>buffers;
  const E = <usize>events;
  let at = align64(__heap_base);
  pBytes = at; at += 8 * B;
  pEventBuffer = at; at += 4 * E;
  pMarks = at; at += 4 * <usize>markCount;
  pDivisions = at; at += 4 * 16;
  pEventAlloc = at; at += E;
  pViews = at; at += B;
  inputsEnd = align64(at);
  ensureMemory(inputsEnd);
}

/**
 * Once the inputs are written: builds the buffer records from the columns (a buffer is in the view
 * when its view bits hold `viewBit`), lays out the outputs and the block store, grows memory for all
 * of them before the loop, and fills the records' initial outputs (as replay.ts and PlacementState:
 * address -1, block bytes 0, segmentOf/allocAt/freeAt -1). The store gets room for every block the
 * replay can hold at once: live blocks, at most as many free ones between them, and one per segment
 * (up to 64Ki segments; past that, the store grows during the replay). `segFactor`: 1 for room for
 * one segment per alloc (a segment per miss), more for expandable segments (see below).
 */
export function layout(segFactor: i32, viewBit: i32): void {
  segCount = 0;
  const B = <usize>nb;
  const E = <usize>n;
  const bit = <u8>viewBit;
  // Allocs in the view and the most buffers live at once (the view read from the compact column).
  let allocs = 0;
  let live = 0;
  let maxLive = 0;
  for (let i = 0; i < n; i++) {
    if ((load<u8>(pViews + <usize>load<i32>(pEventBuffer + (<usize>i << 2))) & bit) == 0) continue;
    if (load<u8>(pEventAlloc + <usize>i) != 0) {
      allocs++;
      if (++live > maxLive) maxLive = live;
    } else if (live > 0) live--;
  }
  // Expandable segments record a range per mapping and up to two per unmapping: the driver asks
  // for segFactor x that room, and again with more if the replay traps for want of it.
  segCap = segFactor == 1 ? allocs : segFactor * (allocs + 64);
  const S = <usize>segCap;
  let at = inputsEnd;
  pBuffers = at; at += BUFFER_RECORD * B;
  pReserved = at; at += 8 * E;
  pAllocated = at; at += 8 * E;
  pRequested = at; at += 8 * E;
  pFreeInReserved = at; at += 8 * E;
  pRequestedBytes = at; at += 8 * B;
  pAddress = at; at += 8 * B;
  pBlockBytes = at; at += 8 * B;
  pAllocAt = at; at += 4 * B;
  pFreeAt = at; at += 4 * B;
  pSegmentOf = at; at += 4 * B;
  pOutputsEnd = at;
  at = align8(at);
  pSegAddress = at; at += 8 * S;
  pSegBytes = at; at += 8 * S;
  pSegReservedAt = at; at += 4 * S;
  pSegReleasedAt = at; at += 4 * S;
  pSegPool = at; at += 4 * S;
  pSegLive = at; at += segFactor == 1 ? 0 : 4 * S;
  at = (at + BLOCK_BYTES - 1) & ~(BLOCK_BYTES - 1);
  // Segments are bounded only by the allocs: room for 64Ki of them, the store grows past that.
  // Expandable segments add an unmapped block at most per mapped one, and pieces of free blocks.
  storeInit(at, (segFactor == 1 ? 1 : 2) * (2 * maxLive + 64) + (allocs < 65536 ? allocs : 65536));
  for (let b: usize = 0; b < B; b++) {
    const r = pBuffers + b * BUFFER_RECORD;
    store<f64>(r, load<f64>(pBytes + (b << 3)), B_BYTES);
    store<f64>(r, -1, B_ADDRESS);
    store<f64>(r, 0, B_BLOCK_BYTES);
    store<f64>(r, 0, B_REQUESTED_BYTES);
    store<i64>(r, -1, B_ALLOC_AT); // allocAt, freeAt
    store<i64>(r, -1, B_SEGMENT_OF); // segmentOf, blockOf
    store<u8>(r, (load<u8>(pViews + b) & bit) != 0 ? 1 : 0, B_IN_VIEW);
  }
}

/** Appends a segment reserved at `event`; returns its index. */
@inline export function addSegment(address: f64, bytes: f64, pool: i32, event: i32): i32 {
  const s = segCount++;
  if (s >= segCap) unreachable();
  const k = <usize>s;
  store<f64>(pSegAddress + 8 * k, address);
  store<f64>(pSegBytes + 8 * k, bytes);
  store<i32>(pSegPool + 4 * k, pool);
  store<i32>(pSegReservedAt + 4 * k, event);
  store<i32>(pSegReleasedAt + 4 * k, -1);
  return s;
}

/** Marks segment `s` released at `event`. */
@inline export function releaseSegment(s: i32, event: i32): void {
  store<i32>(pSegReleasedAt + 4 * <usize>s, event);
}
