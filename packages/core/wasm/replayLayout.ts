// Where a replay's data sit in linear memory. Inputs: the per-buffer columns as replay.ts has them
// (bytes, view bits), the per-event inputs, the emptyCache marks and the rounding divisions; then
// each buffer's live block (scratch). Then the outputs, laid out as replay.ts's JS engine lays out
// its one ArrayBuffer (the series per event, then the columns per buffer), written in place by the
// loop and the allocators, so that the driver copies them out with one `slice`; then the segments,
// then the block store (last, so that it grows in place). Columns, not a 64-byte record per buffer:
// buffers are numbered in allocation order, so an alloc writes each column at the next place
// (streams the caches follow) and a free mostly touches a recent buffer. Records (built from the
// columns, then copied back into them) ran as fast once memory was warm (paired A/B on the 1M-event
// bench traces: 0.93-1.08x either way) but held 60 more bytes a buffer: 30 MB more memory to touch
// for 500k buffers (bench rows' peak RSS 379 -> 351 MiB with columns). The JS driver
// (src/replay/wasm/wasmReplay.ts) calls `setup`, writes the inputs at these offsets, calls
// `layout`, runs an allocator's replay (which ends with `finish`, replaySummary.ts) and copies the
// outputs out. Sizes are f64 bytes, indexes i32, flags u8, as in replay.ts's typed arrays.
import { ensureMemory, storeInit } from "./blockStore";

/** Record bytes of one block in the store (blockStore.ts's STRIDE). */
const BLOCK_BYTES: usize = 64;

export let nb: i32 = 0;
export let n: i32 = 0;
export let marks: i32 = 0;
/** Room for segments: at most one per alloc event in the view. */
export let segCap: i32 = 0;
export let segCount: i32 = 0;
/** The replayed view's bit (traceColumns.ts's VIEW_BIT), set by `layout`. */
let viewBit: u8 = 0;
// Inputs.
export let pBytes: usize = 0; // f64 per buffer: requested bytes
export let pEventBuffer: usize = 0; // i32 per event
export let pMarks: usize = 0; // i32 per emptyCache mark, sorted
export let pDivisions: usize = 0; // i32 x 16: roundup_power2_divisions per interval from 1 MiB
export let pEventAlloc: usize = 0; // u8 per event
export let pViews: usize = 0; // u8 per buffer: view bits (traceColumns.ts)
// Scratch.
let pBlockOf: usize = 0; // i32 per buffer: its live block (-1)
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

/** Buffer `b`'s requested bytes. */
@inline export function bufferBytes(b: i32): f64 {
  return load<f64>(pBytes + (<usize>b << 3));
}

/** Whether buffer `b` is in the replayed view. */
@inline export function inView(b: i32): bool {
  return (load<u8>(pViews + <usize>b) & viewBit) != 0;
}

/** Buffer `b`'s live block (-1: none). */
@inline export function blockOf(b: i32): i32 {
  return load<i32>(pBlockOf + (<usize>b << 2));
}

@inline export function setBlockOf(b: i32, block: i32): void {
  store<i32>(pBlockOf + (<usize>b << 2), block);
}

/** Records where buffer `b` was placed: its live block, the block's address and size, and its segment. */
@inline export function place(b: i32, block: i32, address: f64, blockBytes: f64, segment: i32): void {
  const f = <usize>b << 3;
  const w = <usize>b << 2;
  store<i32>(pBlockOf + w, block);
  store<f64>(pAddress + f, address);
  store<f64>(pBlockBytes + f, blockBytes);
  store<i32>(pSegmentOf + w, segment);
}

/** Buffer `b`'s alloc event (-1: none yet). */
@inline export function allocAt(b: i32): i32 {
  return load<i32>(pAllocAt + (<usize>b << 2));
}

/** Records buffer `b`'s alloc at `event` of `bytes` requested bytes. */
@inline export function setAllocated(b: i32, event: i32, bytes: f64): void {
  store<i32>(pAllocAt + (<usize>b << 2), event);
  store<f64>(pRequestedBytes + (<usize>b << 3), bytes);
}

@inline export function setFreeAt(b: i32, event: i32): void {
  store<i32>(pFreeAt + (<usize>b << 2), event);
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
  // The first 64 bytes: -1 at 8, where a plan keeps its stamp (planArena.ts), so that a plan whose
  // chunks a replay interrupted sees it; the inputs follow.
  store<f64>(at, -1, 8);
  at += 64;
  pBytes = at; at += 8 * B;
  pEventBuffer = at; at += 4 * E;
  pMarks = at; at += 4 * <usize>markCount;
  pDivisions = at; at += 4 * 16;
  pEventAlloc = at; at += E;
  pViews = at; at += B;
  at = align8(at);
  pBlockOf = at; at += 4 * B;
  inputsEnd = align64(at);
  ensureMemory(inputsEnd);
}

/**
 * Once the inputs are written: lays out the outputs and the block store for the view `viewBit`
 * (a buffer is in the view when its view bits hold it), grows memory for all of them before the
 * loop, and fills the outputs' initial values (as replay.ts and PlacementState: address -1, block
 * bytes and requested bytes 0, segmentOf/allocAt/freeAt -1, no live block). The store gets room for
 * every block the replay can hold at once: live blocks, at most as many free ones between them, and
 * one per segment (up to 64Ki segments; past that, the store grows during the replay).
 * `segFactor`: 1 for room for one segment per alloc (a segment per miss), more for expandable
 * segments (see below).
 */
export function layout(segFactor: i32, view: i32): void {
  segCount = 0;
  viewBit = <u8>view;
  const B = <usize>nb;
  const E = <usize>n;
  // Allocs in the view and the most buffers live at once.
  let allocs = 0;
  let live = 0;
  let maxLive = 0;
  for (let i = 0; i < n; i++) {
    if (!inView(load<i32>(pEventBuffer + (<usize>i << 2)))) continue;
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
  // requestedBytes 0, address -1, blockBytes 0; allocAt, freeAt, segmentOf and the live blocks -1
  // (all bits set).
  memory.fill(pRequestedBytes, 0, 8 * B);
  for (let b: usize = 0; b < B; b++) store<f64>(pAddress + (b << 3), -1);
  memory.fill(pBlockBytes, 0, 8 * B);
  memory.fill(pAllocAt, 0xff, 12 * B);
  memory.fill(pBlockOf, 0xff, 4 * B);
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
