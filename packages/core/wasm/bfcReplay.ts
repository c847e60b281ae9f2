// TensorFlow's BFC allocator replay: src/replay/allocators/bfcAllocator.ts with replay.ts's loop
// (replayEvents), rule for rule, every option: the memory limit and the OOM path, garbage collection
// of free regions, allow_growth (the driver passes the first region's bytes), the split threshold,
// and emptyCache marks (released as its garbage collection does).
import { bestFit, removeFree, insertFree, create, dispose, splitAfter, freeAndMerge, bSize, bAddress, bSegment, bPrev, bNext, first, successor } from "./blockStore";
import { addSegment, releaseSegment, n, marks, pMarks, bufferRecord, B_BYTES, B_ADDRESS, B_BLOCK_BYTES, B_REQUESTED_BYTES, B_ALLOC_AT, B_FREE_AT, B_SEGMENT_OF, B_BLOCK_OF, B_IN_VIEW, pReserved, pAllocated, pRequested, pEventBuffer, pEventAlloc } from "./replayLayout";
import { setTotals, setLastAttempt } from "./replayTotals";

// Constants of TensorFlow's BFC allocator (xla/tsl/framework/bfc_allocator.{h,cc}), as in bfcAllocator.ts.
const MIN_ALLOCATION_SIZE: f64 = 256; // kMinAllocationSize
/** Segment pool code of a BFC region (the driver names it "region"). */
const REGION: i32 = 2;

let reserved: f64 = 0;
let allocated: f64 = 0;
let nextAddress: f64 = 0;
let limit: f64 = Infinity;
let regionBytes: f64 = 0;
let maxInternalFragmentation: f64 = 0;
let garbageCollection = true;

/** Extend(): a new region for a request of `rounded` bytes, if the limit allows it. */
function extend(rounded: f64, event: i32): bool {
  const available = Math.floor((limit - reserved) / MIN_ALLOCATION_SIZE) * MIN_ALLOCATION_SIZE;
  if (rounded > available) return false;
  let increased = false;
  while (rounded > regionBytes) {
    regionBytes *= 2;
    increased = true;
  }
  const bytes = Math.min(regionBytes, available);
  if (!increased) regionBytes *= 2;
  const seg = addSegment(nextAddress, bytes, REGION, event);
  const chunk = create(nextAddress, bytes, seg, 0);
  insertFree(chunk);
  nextAddress += bytes;
  reserved += bytes;
  return true;
}

/** Bytes of the regions whose only chunk is free (nothing in use). */
function freeRegionBytes(): f64 {
  let total: f64 = 0;
  for (let t = first(0); t >= 0; t = successor(t)) if (bPrev(t) < 0 && bNext(t) < 0) total += bSize(t);
  return total;
}

/** Releases every region with nothing in use, in (size, address) order. */
function releaseFreeRegions(event: i32): void {
  let t = first(0);
  while (t >= 0) {
    const after = successor(t); // removal keeps the order of the others
    if (bPrev(t) < 0 && bNext(t) < 0) {
      removeFree(t);
      releaseSegment(bSegment(t), event);
      reserved -= bSize(t);
      dispose(t);
    }
    t = after;
  }
}

/** DeallocateFreeRegions(): only when garbage collection is on and it could make room. */
function deallocateFreeRegions(rounded: f64, event: i32): bool {
  if (!garbageCollection) return false;
  const total = freeRegionBytes();
  if (total == 0 || rounded > limit - reserved + total) return false;
  releaseFreeRegions(event);
  return true;
}

/** Nothing fits: extend, then (garbage collection) release free regions and extend again. */
function grow(rounded: f64, event: i32): i32 {
  if (extend(rounded, event)) return bestFit(0, rounded);
  if (deallocateFreeRegions(rounded, event) && extend(rounded, event)) return bestFit(0, rounded);
  setLastAttempt(rounded);
  return -1;
}

@inline function alloc(buffer: i32, event: i32): bool {
  const r = bufferRecord(buffer);
  const bytes = load<f64>(r, B_BYTES);
  // AllocateRaw of 0 bytes returns null without allocating.
  if (bytes == 0) return true;
  const rounded = MIN_ALLOCATION_SIZE * Math.ceil(bytes / MIN_ALLOCATION_SIZE);
  let chunk = bestFit(0, rounded);
  if (chunk < 0) {
    chunk = grow(rounded, event);
    if (chunk < 0) return false;
  }
  removeFree(chunk);
  const size = bSize(chunk);
  if (size >= rounded * 2 || size - rounded >= maxInternalFragmentation) splitAfter(chunk, rounded);
  const chunkSize = bSize(chunk);
  store<i32>(r, chunk, B_BLOCK_OF);
  store<f64>(r, bAddress(chunk), B_ADDRESS);
  store<f64>(r, chunkSize, B_BLOCK_BYTES);
  store<i32>(r, bSegment(chunk), B_SEGMENT_OF);
  allocated += chunkSize;
  return true;
}

@inline function free(buffer: i32): void {
  const at = bufferRecord(buffer) + B_BLOCK_OF;
  const chunk = load<i32>(at);
  if (chunk < 0) return;
  store<i32>(at, -1);
  allocated -= bSize(chunk);
  freeAndMerge(chunk);
}

/**
 * replay.ts's replayEvents with this allocator, after `layout`: `limitBytes` (the capacity,
 * Infinity: none), `firstRegion` (bytes of the first region: min(limit, 2 MiB) rounded with
 * allow_growth, else the limit rounded), `maxFragmentation` (split when the leftover is at least
 * this many bytes), `collect` (garbage collection). Returns the OOM event's index, or -1.
 */
export function replayBfc(limitBytes: f64, firstRegion: f64, maxFragmentation: f64, collect: bool): i32 {
  reserved = 0;
  allocated = 0;
  nextAddress = 0;
  limit = limitBytes;
  regionBytes = firstRegion;
  maxInternalFragmentation = maxFragmentation;
  garbageCollection = collect;
  setLastAttempt(0);
  let live: f64 = 0;
  let mark = 0;
  let nextMark = marks > 0 ? load<i32>(pMarks) : n + 1;
  const events = n;
  for (let i = 0; i < events; i++) {
    while (nextMark <= i) {
      releaseFreeRegions(i);
      mark++;
      nextMark = mark < marks ? load<i32>(pMarks + (<usize>mark << 2)) : n + 1;
    }
    const b = load<i32>(pEventBuffer + (<usize>i << 2));
    const r = bufferRecord(b);
    if (load<u8>(r, B_IN_VIEW) != 0) {
      if (load<u8>(pEventAlloc + <usize>i) != 0) {
        const size = load<f64>(r, B_BYTES);
        if (!alloc(b, i)) {
          const e = <usize>i << 3;
          store<f64>(pReserved + e, reserved);
          store<f64>(pAllocated + e, allocated);
          store<f64>(pRequested + e, live);
          setTotals(reserved, allocated);
          return i;
        }
        store<i32>(r, i, B_ALLOC_AT);
        store<f64>(r, size, B_REQUESTED_BYTES);
        live += size;
      } else if (load<i32>(r, B_ALLOC_AT) >= 0) {
        free(b);
        store<i32>(r, i, B_FREE_AT);
        live -= load<f64>(r, B_BYTES);
      }
    }
    const e = <usize>i << 3;
    store<f64>(pReserved + e, reserved);
    store<f64>(pAllocated + e, allocated);
    store<f64>(pRequested + e, live);
  }
  while (mark < marks) releaseFreeRegions(load<i32>(pMarks + (<usize>(mark++) << 2)));
  setTotals(reserved, allocated);
  return -1;
}
