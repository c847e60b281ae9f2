// TensorFlow's BFC allocator replay: src/replay/allocators/bfcAllocator.ts with replay.ts's loop
// (replayEvents), rule for rule, every option: the memory limit and the OOM path, garbage collection
// of free regions, allow_growth (the driver passes the first region's bytes), the split threshold,
// and emptyCache marks (released as its garbage collection does).
import { bestFit, removeFree, takeFree, insertFree, create, dispose, splitAfter, freeAndMerge, bSize, bAddress, bSegment, bPrev, bNext, first, successor } from "./blockStore";
import { addSegment, releaseSegment, bufferBytes, blockOf, setBlockOf, place } from "./replayLayout";
import { setLastAttempt } from "./replayTotals";

// Constants of TensorFlow's BFC allocator (xla/tsl/framework/bfc_allocator.{h,cc}), as in bfcAllocator.ts.
const MIN_ALLOCATION_SIZE: f64 = 256; // kMinAllocationSize
/** Segment pool code of a BFC region (the driver names it "region"). */
const REGION: i32 = 2;

export let reserved: f64 = 0;
export let allocated: f64 = 0;
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
export function releaseFreeRegions(event: i32): void {
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

@inline export function alloc(buffer: i32, event: i32): bool {
  const bytes = bufferBytes(buffer);
  // AllocateRaw of 0 bytes returns null without allocating.
  if (bytes == 0) return true;
  const rounded = MIN_ALLOCATION_SIZE * Math.ceil(bytes / MIN_ALLOCATION_SIZE);
  let chunk = bestFit(0, rounded);
  if (chunk < 0) {
    chunk = grow(rounded, event);
    if (chunk < 0) return false;
  }
  const size = bSize(chunk);
  // Out of the free index, split or not (a split's rest may take the chunk's place there).
  takeFree(chunk, rounded, size >= rounded * 2 || size - rounded >= maxInternalFragmentation);
  const chunkSize = bSize(chunk);
  place(buffer, chunk, bAddress(chunk), chunkSize, bSegment(chunk));
  allocated += chunkSize;
  return true;
}

@inline export function free(buffer: i32): void {
  const chunk = blockOf(buffer);
  if (chunk < 0) return;
  setBlockOf(buffer, -1);
  allocated -= bSize(chunk);
  freeAndMerge(chunk);
}

/**
 * Resets the allocator for a replay (`replayBfc` in replayLoop.ts), after `layout`: `limitBytes`
 * (the capacity, Infinity: none), `firstRegion` (bytes of the first region: min(limit, 2 MiB)
 * rounded with allow_growth, else the limit rounded), `maxFragmentation` (split when the leftover
 * is at least this many bytes), `collect` (garbage collection).
 */
export function bfcStart(limitBytes: f64, firstRegion: f64, maxFragmentation: f64, collect: bool): void {
  reserved = 0;
  allocated = 0;
  nextAddress = 0;
  limit = limitBytes;
  regionBytes = firstRegion;
  maxInternalFragmentation = maxFragmentation;
  garbageCollection = collect;
  setLastAttempt(0);
}
