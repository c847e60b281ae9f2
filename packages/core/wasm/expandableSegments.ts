// PyTorch's expandable segments for the caching allocator's replay: a port of
// src/replay/allocators/expandableSegments.ts (ExpandableSegment, find_expandable_block, map_block,
// try_allocate_expandable_block, unmap_block in c10/cuda/CUDACachingAllocator.cpp), rule for rule:
// each pool maps 2 MiB (small) or 20 MiB (large) pages into one reserved range of addresses; only
// mapped pages count as reserved. Mapped free blocks are in the pool's free index (0, 1); unmapped
// ones are blocks of pool 2 + the pool, kept in a list by address (linked through their treap
// fields, unused outside the index). Each contiguous mapped range is a segment record; the live
// ones are kept sorted by address at pSegLive (for the record holding an address).
import { create, dispose, freeAndMerge, insertFree, removeFree, first, successor, bAddress, bSize, bPrev, bNext, bIsFree, bPool, bLeft, bRight, setLeft, setRight, setPool, setSize, setPrev, setNext } from "./blockStore";
import { addSegment, releaseSegment, pSegAddress, pSegBytes, pSegPool, pSegLive } from "./replayLayout";

// Page sizes: kSmallBuffer and kLargeBuffer (c10/cuda/CUDACachingAllocator.cpp), as cachingAllocator.ts.
const K_SMALL_BUFFER: f64 = 2097152;
const K_LARGE_BUFFER: f64 = 20971520;

/** Mapped bytes (the allocator's reserved bytes). */
let mapped: f64 = 0;
let capacity: f64 = Infinity;
/** Bytes of address space a pool reserves at a time. */
let addressSpace: f64 = 0;
let nextAddress: f64 = 0;
/** First unmapped block of pools 0 and 1, by address (-1: none). */
let head0: i32 = -1;
let head1: i32 = -1;
/** Live records at pSegLive. */
let liveCount: i32 = 0;

@inline function page(pool: i32): f64 {
  return pool == 0 ? K_SMALL_BUFFER : K_LARGE_BUFFER;
}
@inline function head(pool: i32): i32 {
  return pool == 0 ? head0 : head1;
}
@inline function setHead(pool: i32, u: i32): void {
  if (pool == 0) head0 = u;
  else head1 = u;
}
@inline function segAddress(k: i32): f64 {
  return load<f64>(pSegAddress + (<usize>k << 3));
}
@inline function segEnd(k: i32): f64 {
  return segAddress(k) + load<f64>(pSegBytes + (<usize>k << 3));
}
@inline function live(i: i32): i32 {
  return load<i32>(pSegLive + (<usize>i << 2));
}
@inline function setLive(i: i32, k: i32): void {
  store<i32>(pSegLive + (<usize>i << 2), k);
}

/** Starts a replay: `space` bytes of addresses per pool reservation, `capacityBytes` (Infinity: none). */
export function expandableInit(space: f64, capacityBytes: f64): void {
  mapped = 0;
  capacity = capacityBytes;
  addressSpace = space;
  nextAddress = 0;
  head0 = -1;
  head1 = -1;
  liveCount = 0;
}

/** Mapped bytes now. */
@inline export function expandableReserved(): f64 {
  return mapped;
}

/**
 * try_allocate_expandable_block(): a free mapped block of at least `size` bytes, made by mapping
 * pages, taken out of the free index; -1 if the capacity does not allow the pages.
 */
export function expandableAllocate(pool: i32, size: f64, event: i32): i32 {
  let c = find(pool, size);
  if (bPool(c) != pool) {
    c = map(c, Math.min(bSize(c), size), event);
    if (c < 0) return -1;
  }
  while (bSize(c) < size) {
    const next = bNext(c);
    if (next < 0 || bPool(next) != pool + 2) return -1;
    const m = map(next, Math.min(size - bSize(c), bSize(next)), event);
    if (m < 0) return -1;
    c = m;
  }
  removeFree(c);
  return c;
}

/** unmap_block() of every free block, large pool first, each in (size, address) order. */
export function expandableReleaseCached(event: i32): void {
  for (let pool = 1; pool >= 0; pool--) {
    let t = first(pool);
    while (t >= 0) {
      // The pieces unmap() puts back are smaller than t: they sort before it, as in the JS snapshot.
      const after = successor(t);
      unmap(t, event);
      t = after;
    }
  }
}

/** The record of the mapped range holding `address` (the last live one starting at or below it; -1 if none). */
export function recordAt(address: f64): i32 {
  const i = liveBelow(address, true);
  return i >= 0 ? live(i) : -1;
}

/** Index at pSegLive of the last live record starting at or below (`orAt`) or below `address`, or -1. */
function liveBelow(address: f64, orAt: bool): i32 {
  let lo = 0;
  let hi = liveCount;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const a = segAddress(live(mid));
    if (a < address || (orAt && a == address)) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** find_expandable_block(): the lowest-addressed unmapped block (or the free block before it) with room for `size`; else a new range. */
function find(pool: i32, size: f64): i32 {
  for (let u = head(pool); u >= 0; u = bRight(u)) {
    const before = bPrev(u);
    const c = before >= 0 && bIsFree(before) && bPool(before) == pool ? before : u;
    let room: f64 = 0;
    for (let b = c; b >= 0 && room < size && (bIsFree(b) || bPool(b) == pool + 2); b = bNext(b)) room += bSize(b);
    if (room >= size) return c;
  }
  const p = page(pool);
  const base = p * Math.ceil(nextAddress / p);
  const bytes = p * Math.ceil(Math.max(Math.max(addressSpace, size), 1) / p);
  nextAddress = base + bytes;
  const u = create(base, bytes, -1, pool + 2);
  listInsert(pool, u);
  return u;
}

/** map_block(): maps the pages of the first `bytes` of unmapped `u`; the merged free block, or -1 past the capacity. */
function map(u: i32, bytes: f64, event: i32): i32 {
  const pool = bPool(u) - 2;
  const p = page(pool);
  const m = Math.min(bSize(u), p * Math.ceil(bytes / p));
  if (mapped + m > capacity) return -1;
  if (m < bSize(u)) listInsert(pool, splitOff(u, m, pool + 2));
  listRemove(pool, u);
  setPool(u, pool);
  mapped += m;
  recordMapped(bAddress(u), bAddress(u) + m, pool, event);
  return freeAndMerge(u);
}

/** unmap_block(): the whole pages inside free block `b` become unmapped. */
function unmap(b: i32, event: i32): void {
  const pool = bPool(b);
  const p = page(pool);
  const start = bAddress(b);
  const end = start + bSize(b);
  const from = p * Math.ceil(start / p);
  const to = p * Math.floor(end / p);
  if (from >= to) return;
  removeFree(b);
  let u = b;
  if (from > start) {
    u = splitOff(b, from - start, pool);
    insertFree(b);
  }
  if (to < end) insertFree(splitOff(u, to - from, pool));
  setPool(u, pool + 2);
  mapped -= to - from;
  recordUnmapped(from, to, event);
  const after = bNext(u);
  if (after >= 0 && bPool(after) == pool + 2) {
    setSize(u, bSize(u) + bSize(after));
    listRemove(pool, after);
    unlink(after);
  }
  const before = bPrev(u);
  if (before >= 0 && bPool(before) == pool + 2) {
    setSize(before, bSize(before) + bSize(u));
    unlink(u);
  } else listInsert(pool, u);
}

/** Splits `b` after its first `size` bytes; the rest, in pool `pool`, is returned (not indexed). */
function splitOff(b: i32, size: f64, pool: i32): i32 {
  const next = bNext(b);
  const rest = create(bAddress(b) + size, bSize(b) - size, -1, pool);
  setPrev(rest, b);
  setNext(rest, next);
  if (next >= 0) setPrev(next, rest);
  setNext(b, rest);
  setSize(b, size);
  return rest;
}

/** Takes block `b` out of its neighbours and disposes of it. */
function unlink(b: i32): void {
  const p = bPrev(b);
  const n = bNext(b);
  if (p >= 0) setNext(p, n);
  if (n >= 0) setPrev(n, p);
  dispose(b);
}

/** Puts unmapped `u` in its pool's list, by address (left: previous, right: next). */
function listInsert(pool: i32, u: i32): void {
  const a = bAddress(u);
  let prev = -1;
  let t = head(pool);
  while (t >= 0 && bAddress(t) < a) {
    prev = t;
    t = bRight(t);
  }
  setLeft(u, prev);
  setRight(u, t);
  if (prev >= 0) setRight(prev, u);
  else setHead(pool, u);
  if (t >= 0) setLeft(t, u);
}

function listRemove(pool: i32, u: i32): void {
  const prev = bLeft(u);
  const next = bRight(u);
  if (prev >= 0) setRight(prev, next);
  else setHead(pool, next);
  if (next >= 0) setLeft(next, prev);
}

/** [start, end) was mapped: it joins the live records around it into one. */
function recordMapped(start: f64, end: f64, pool: i32, event: i32): void {
  const i = liveBelow(start, false);
  const left = i >= 0 && segEnd(live(i)) == start ? live(i) : -1;
  const j = liveBelow(end, false) + 1;
  const right = j < liveCount && segAddress(live(j)) == end ? live(j) : -1;
  if (left >= 0) start = segAddress(left);
  if (right >= 0) end = segEnd(right);
  if (left >= 0) release(left, event);
  if (right >= 0) release(right, event);
  record(start, end, pool, event);
}

/** [start, end) was unmapped from the record holding it: what is left of it is recorded anew. */
function recordUnmapped(start: f64, end: f64, event: i32): void {
  const k = recordAt(start);
  const a = segAddress(k);
  const e = segEnd(k);
  const pool = load<i32>(pSegPool + (<usize>k << 2));
  release(k, event);
  if (a < start) record(a, start, pool, event);
  if (end < e) record(end, e, pool, event);
}

function record(start: f64, end: f64, pool: i32, event: i32): void {
  const k = addSegment(start, end - start, pool, event);
  const at = liveBelow(start, false) + 1;
  for (let i = liveCount; i > at; i--) setLive(i, live(i - 1));
  setLive(at, k);
  liveCount++;
}

function release(k: i32, event: i32): void {
  releaseSegment(k, event);
  const at = liveBelow(segAddress(k), false) + 1;
  for (let i = at; i < liveCount - 1; i++) setLive(i, live(i + 1));
  liveCount--;
}
