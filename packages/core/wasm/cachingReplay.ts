// PyTorch's caching allocator replay: src/replay/allocators/cachingAllocator.ts with replay.ts's
// loop (replayEvents), rule for rule, for one stream: capacity and the OOM path (release oversize
// cached blocks, then every cached segment, then fail), emptyCache marks, maxSplitSize /
// maxNonSplitRoundingSize and roundupPower2Divisions; with expandable segments, misses map pages
// and releases unmap them (expandableSegments.ts).
import { bestFit, removeFree, takeFree, create, dispose, splitAfter, freeAndMerge, bSize, bAddress, bSegment, bPrev, bNext, first, successor, last, predecessor } from "./blockStore";
import { addSegment, releaseSegment, pDivisions, bufferBytes, blockOf, setBlockOf, place } from "./replayLayout";
import { setLastAttempt } from "./replayTotals";
import { expandableInit, expandableReserved, expandableAllocate, expandableReleaseCached, recordAt } from "./expandableSegments";

// Constants of PyTorch's CUDA caching allocator (c10/cuda/CUDACachingAllocator.cpp), as in cachingAllocator.ts.
const K_MIN_BLOCK_SIZE: f64 = 512; // kMinBlockSize
const K_SMALL_SIZE: f64 = 1048576; // kSmallSize
const K_SMALL_BUFFER: f64 = 2097152; // kSmallBuffer
const K_LARGE_BUFFER: f64 = 20971520; // kLargeBuffer
const K_MIN_LARGE_ALLOC: f64 = 10485760; // kMinLargeAlloc
const K_ROUND_LARGE: f64 = 2097152; // kRoundLarge
const SMALL: i32 = 0;
const LARGE: i32 = 1;

export let reserved: f64 = 0;
export let allocated: f64 = 0;
let nextAddress: f64 = 0;
let capacity: f64 = Infinity;
let maxSplitSize: f64 = Infinity;
let maxNonSplitRoundingSize: f64 = K_LARGE_BUFFER;
let useDivisions = false;
let expandable = false;

function floorLog2(x: f64): f64 {
  let k = Math.floor(Math.log2(x));
  if (Math.pow(2, k) > x) k--;
  if (Math.pow(2, k + 1) <= x) k++;
  return k;
}

/** roundup_power2_next_division(), as cachingAllocator.ts. */
function roundupPower2NextDivision(size: f64, divisions: f64): f64 {
  const floor = Math.pow(2, floorLog2(size));
  if (floor == size) return size;
  const step = floor / Math.pow(2, floorLog2(divisions));
  if (step < 1) return floor * 2;
  const down = Math.floor(size / step) * step;
  return down == size ? size : down + step;
}

/** round_size(): at least 512 bytes, a multiple of 512, or the next power-of-two division. */
@inline function roundSize(size: f64): f64 {
  if (size < K_MIN_BLOCK_SIZE) return K_MIN_BLOCK_SIZE;
  if (useDivisions) {
    const index = <i32>Math.min(Math.max(floorLog2(size) - 20, 0), 15);
    const d = <f64>load<i32>(pDivisions + (<usize>index << 2));
    if (d > 1 && size > K_MIN_BLOCK_SIZE * d) return roundupPower2NextDivision(size, d);
  }
  return K_MIN_BLOCK_SIZE * Math.ceil(size / K_MIN_BLOCK_SIZE);
}

/** get_allocation_size(). */
@inline function segmentSize(size: f64): f64 {
  if (size <= K_SMALL_SIZE) return K_SMALL_BUFFER;
  if (size < K_MIN_LARGE_ALLOC) return K_LARGE_BUFFER;
  return K_ROUND_LARGE * Math.ceil(size / K_ROUND_LARGE);
}

/** get_free_block(): best fit with the max-split rules (still in the free index: `alloc` takes it); -1 if none. */
@inline function getFreeBlock(pool: i32, size: f64): i32 {
  const block = bestFit(pool, size);
  if (block < 0) return -1;
  const found = bSize(block);
  if (size < maxSplitSize && found >= maxSplitSize) return -1;
  if (size >= maxSplitSize && found >= size + maxNonSplitRoundingSize) return -1;
  return block;
}

/** alloc_block(): a new segment, if the capacity allows it; -1 if not. */
function allocBlock(pool: i32, allocSize: f64, event: i32): i32 {
  if (reserved + allocSize > capacity) return -1;
  const seg = addSegment(nextAddress, allocSize, pool, event);
  const block = create(nextAddress, allocSize, seg, pool);
  nextAddress += allocSize;
  reserved += allocSize;
  return block;
}

/** release_block(): a whole free segment back to the device. */
function releaseBlock(block: i32, event: i32): void {
  removeFree(block);
  releaseSegment(bSegment(block), event);
  reserved -= bSize(block);
  dispose(block);
}

/** release_available_cached_blocks() (with maxSplitSize only). */
function releaseAvailableCachedBlocks(pool: i32, size: f64, event: i32): bool {
  if (maxSplitSize == Infinity) return false;
  const key = Math.max(size, maxSplitSize);
  const fit = bestFit(pool, key);
  if (fit >= 0) {
    releaseBlock(fit, event);
    return true;
  }
  // Oversize blocks (a suffix of the (size, address) order) from the largest down.
  let released: f64 = 0;
  let t = last(pool);
  while (t >= 0 && bSize(t) >= maxSplitSize && released < key) {
    const before = predecessor(t); // removal keeps the order of the others
    released += bSize(t);
    releaseBlock(t, event);
    t = before;
  }
  return released >= key;
}

/** release_cached_blocks(): every cached block that is a whole segment, large pool first. */
export function releaseCachedBlocks(event: i32): void {
  if (expandable) {
    expandableReleaseCached(event);
    reserved = expandableReserved();
    return;
  }
  for (let pool = LARGE; pool >= SMALL; pool--) {
    let t = first(pool);
    while (t >= 0) {
      const after = successor(t);
      if (bPrev(t) < 0 && bNext(t) < 0) releaseBlock(t, event);
      t = after;
    }
  }
}

/** No cached block fits, with expandable segments: map pages, unmapping cached ones first if the capacity requires. */
function newExpandableBlock(pool: i32, size: f64, event: i32): i32 {
  let block = expandableAllocate(pool, size, event);
  if (block < 0) {
    expandableReleaseCached(event);
    block = expandableAllocate(pool, size, event);
  }
  reserved = expandableReserved();
  if (block < 0) setLastAttempt(size);
  return block;
}

/** No cached block fits: a new segment, releasing cached ones first if the capacity requires. */
function newBlock(pool: i32, size: f64, event: i32): i32 {
  const allocSize = segmentSize(size);
  let block = allocBlock(pool, allocSize, event);
  if (block < 0 && releaseAvailableCachedBlocks(pool, size, event)) block = allocBlock(pool, allocSize, event);
  if (block < 0) {
    releaseCachedBlocks(event);
    block = allocBlock(pool, allocSize, event);
  }
  if (block < 0) setLastAttempt(allocSize);
  return block;
}

@inline export function alloc(buffer: i32, event: i32): bool {
  const bytes = bufferBytes(buffer);
  // A zero-byte tensor gets no block.
  if (bytes == 0) return true;
  const size = roundSize(bytes);
  const pool = size <= K_SMALL_SIZE ? SMALL : LARGE;
  let block = getFreeBlock(pool, size);
  const cached = block >= 0;
  if (!cached) {
    block = expandable ? newExpandableBlock(pool, size, event) : newBlock(pool, size, event);
    if (block < 0) return false;
  }
  const remaining = bSize(block) - size;
  const split = pool == SMALL || expandable ? remaining >= K_MIN_BLOCK_SIZE : size < maxSplitSize && remaining > K_SMALL_SIZE;
  // A cached block leaves the free index here (its rest, if split, may take its place there).
  if (cached) takeFree(block, size, split);
  else if (split) splitAfter(block, size);
  const blockSize = bSize(block);
  place(buffer, block, bAddress(block), blockSize, expandable ? recordAt(bAddress(block)) : bSegment(block));
  allocated += blockSize;
  return true;
}

@inline export function free(buffer: i32): void {
  const block = blockOf(buffer);
  if (block < 0) return;
  setBlockOf(buffer, -1);
  allocated -= bSize(block);
  freeAndMerge(block);
}

/**
 * Resets the allocator for a replay (`replayCaching` in replayLoop.ts), after `layout`:
 * `capacityBytes` (Infinity: none), `maxSplit` and `maxNonSplitRounding` (bytes), `divisions` (the
 * 16 divisions at pDivisions apply), `addressSpace` (bytes a pool's expandable segment reserves; 0:
 * no expandable segments, and then `layout(1)`, else a larger factor: a trap for want of segment
 * room asks for a larger one).
 */
export function cachingStart(capacityBytes: f64, maxSplit: f64, maxNonSplitRounding: f64, divisions: bool, addressSpace: f64): void {
  reserved = 0;
  allocated = 0;
  nextAddress = 0;
  capacity = capacityBytes;
  maxSplitSize = maxSplit;
  maxNonSplitRoundingSize = maxNonSplitRounding;
  useDivisions = divisions;
  expandable = addressSpace > 0;
  if (expandable) expandableInit(addressSpace, capacityBytes);
  setLastAttempt(0);
}
