// Blocks (PyTorch) or chunks (TensorFlow BFC) in linear memory, with the free ones indexed per pool
// by (size, address) in a treap: a port of src/replay/allocators/blockStore.ts (same xorshift32
// priorities, drawn in the same order). Every query is defined by the (size, address) order alone
// (best fit, first, last, successor, predecessor), so the answers are the JS store's even where
// the shapes differ: `takeFree` lets a split's rest take over its block's node (and priority). One 64-byte record per block (array of structures, on cache-line boundaries), kept
// last in memory so that growing the store is one memory.grow and no copy. A block's id is its
// record's byte address (links are addresses: a field access is one load, with no base to load and
// no multiply, which measured 10-20% faster replays than ids from 0), so the store stays below
// 2 GiB (ids are positive i32, -1 is none) and traps past it. Sizes and addresses are f64 bytes, as
// in the JS model (exact integers up to 2^53).

const STRIDE: usize = 64;
const O_ADDRESS: usize = 0; // f64
const O_SIZE: usize = 8; // f64
const O_PREV: usize = 16; // i32, neighbour blocks in the segment (-1 at its ends)
const O_NEXT: usize = 20; // i32 (also the recycled list)
const O_SEGMENT: usize = 24; // i32
const O_LEFT: usize = 28; // i32
const O_RIGHT: usize = 32; // i32
const O_UP: usize = 36; // i32 (-1 at a root)
const O_PRIORITY: usize = 40; // u32
const O_POOL: usize = 44; // u8
const O_FREE: usize = 45; // u8

let base: usize = 0;
/** Records handed out (the store's high-water mark) and memory.grow calls, since storeInit. */
export let used: i32 = 0;
export let grows: i32 = 0;
let capacity: i32 = 0;
let recycled: i32 = -1;
let seed: u32 = 0x9e3779b9;
// Roots of up to 4 pools.
const roots: usize = memory.data(16, 4);

/** Where block `id`'s record starts: the id is that address (no base to load, no multiply per access). */
@inline function rec(id: i32): usize {
  return <usize>id;
}

@inline export function bAddress(id: i32): f64 { return load<f64>(rec(id), O_ADDRESS); }
@inline export function bSize(id: i32): f64 { return load<f64>(rec(id), O_SIZE); }
@inline export function bPrev(id: i32): i32 { return load<i32>(rec(id), O_PREV); }
@inline export function bNext(id: i32): i32 { return load<i32>(rec(id), O_NEXT); }
@inline export function bSegment(id: i32): i32 { return load<i32>(rec(id), O_SEGMENT); }
@inline export function bLeft(id: i32): i32 { return load<i32>(rec(id), O_LEFT); }
@inline export function bRight(id: i32): i32 { return load<i32>(rec(id), O_RIGHT); }
@inline function bUp(id: i32): i32 { return load<i32>(rec(id), O_UP); }
@inline function bPriority(id: i32): u32 { return load<u32>(rec(id), O_PRIORITY); }
@inline export function bPool(id: i32): i32 { return <i32>load<u8>(rec(id), O_POOL); }
@inline export function bIsFree(id: i32): bool { return load<u8>(rec(id), O_FREE) != 0; }

@inline export function setSize(id: i32, v: f64): void { store<f64>(rec(id), v, O_SIZE); }
@inline export function setPrev(id: i32, v: i32): void { store<i32>(rec(id), v, O_PREV); }
@inline export function setNext(id: i32, v: i32): void { store<i32>(rec(id), v, O_NEXT); }
@inline export function setLeft(id: i32, v: i32): void { store<i32>(rec(id), v, O_LEFT); }
@inline export function setRight(id: i32, v: i32): void { store<i32>(rec(id), v, O_RIGHT); }
/** Sets a block's pool (expandable segments: mapped 0/1, unmapped 2/3). */
@inline export function setPool(id: i32, v: i32): void { store<u8>(rec(id), <u8>v, O_POOL); }
@inline function setUp(id: i32, v: i32): void { store<i32>(rec(id), v, O_UP); }
@inline function root(pool: i32): i32 { return load<i32>(roots + (<usize>pool << 2)); }
@inline function setRoot(pool: i32, v: i32): void { store<i32>(roots + (<usize>pool << 2), v); }

/**
 * Starts an empty store whose records begin at `at` (64-aligned, the end of everything else), with
 * memory grown beforehand for `room` blocks (growing while a replay runs cost ~190 ms per grow).
 */
export function storeInit(at: usize, room: i32): void {
  base = at;
  used = 0;
  recycled = -1;
  grows = 0;
  seed = 0x9e3779b9;
  ensureMemory(at + <usize>room * STRIDE);
  capacity = storeCapacity();
  for (let p = 0; p < 4; p++) setRoot(p, -1);
}

/** The end of the records handed out since `storeInit`, bytes: memory above it is free once a replay has ended. */
export function storeTop(): usize {
  return base + <usize>used * STRIDE;
}

/** Grows memory (never shrinks) so that it holds `end` bytes; traps if the engine refuses. */
export function ensureMemory(end: usize): void {
  const have = <usize>memory.size() << 16;
  if (end > have && memory.grow(<i32>((end - have + 0xffff) >> 16)) < 0) unreachable();
}

function growStore(): void {
  // Double the memory the store has (at least 64 KiB pages for 1024 more blocks): a fallback, as
  // storeInit is given room for every block a replay can hold at once.
  let extra = <usize>capacity * STRIDE;
  if (extra < 1024 * STRIDE) extra = 1024 * STRIDE;
  const pages = <i32>((extra + 0xffff) >> 16);
  if (memory.grow(pages) < 0) unreachable();
  grows++;
  const more = storeCapacity();
  if (more == capacity) unreachable();
  capacity = more;
}

/** Records that fit in memory, below 2 GiB: a block's id is its record's address, a positive i32. */
function storeCapacity(): i32 {
  let end = <usize>memory.size() << 16;
  if (end > 0x80000000) end = 0x80000000;
  return end > base ? <i32>((end - base) / STRIDE) : 0;
}

@inline function newId(): i32 {
  let id = recycled;
  if (id >= 0) recycled = bNext(id);
  else {
    if (used == capacity) growStore();
    id = <i32>(base + <usize>used * STRIDE);
    used++;
  }
  const r = rec(id);
  store<u8>(r, 0, O_FREE);
  store<i32>(r, -1, O_LEFT);
  store<i32>(r, -1, O_RIGHT);
  // xorshift32, as blockStore.ts.
  let s = seed;
  s ^= s << 13;
  s ^= s >> 17;
  s ^= s << 5;
  seed = s;
  store<u32>(r, s, O_PRIORITY);
  return id;
}

/** A new block (not in any free index). */
export function create(address: f64, size: f64, segment: i32, pool: i32): i32 {
  const id = newId();
  const r = rec(id);
  store<f64>(r, address, O_ADDRESS);
  store<f64>(r, size, O_SIZE);
  store<i32>(r, segment, O_SEGMENT);
  store<u8>(r, <u8>pool, O_POOL);
  store<i32>(r, -1, O_PREV);
  store<i32>(r, -1, O_NEXT);
  return id;
}

export function dispose(id: i32): void {
  setNext(id, recycled);
  recycled = id;
}

/** The block keeps its first `size` bytes; the rest becomes a new free block after it. */
export function splitAfter(block: i32, size: f64): i32 {
  const rest = restAfter(block, size);
  insertFree(rest);
  return rest;
}

/**
 * Takes free block `block` (in its pool's index) for an allocation of `size` bytes: out of the
 * index, or (`split`) split after `size` bytes with the rest free. The rest's key is below the
 * block's; when it is still above the block's predecessor's (a small request cut from a large
 * block), the rest takes over the block's node in the index, with no removal and insertion.
 */
export function takeFree(block: i32, size: f64, split: bool): void {
  if (!split) {
    removeFree(block);
    return;
  }
  const before = predecessor(block);
  const rest = restAfter(block, size);
  const r = rec(rest);
  if (before >= 0 && keyBefore(load<f64>(r, O_SIZE), load<f64>(r, O_ADDRESS), before)) {
    removeFree(block);
    insertFree(rest);
  } else replaceNode(block, rest);
}

/** The rest of `block` after its first `size` bytes, as a new block after it (not indexed). */
@inline function restAfter(block: i32, size: f64): i32 {
  const rest = newId();
  const rb = rec(block);
  const rr = rec(rest);
  const next = load<i32>(rb, O_NEXT);
  store<f64>(rr, load<f64>(rb, O_ADDRESS) + size, O_ADDRESS);
  store<f64>(rr, load<f64>(rb, O_SIZE) - size, O_SIZE);
  store<i32>(rr, load<i32>(rb, O_SEGMENT), O_SEGMENT);
  store<u8>(rr, load<u8>(rb, O_POOL), O_POOL);
  store<i32>(rr, block, O_PREV);
  store<i32>(rr, next, O_NEXT);
  if (next >= 0) setPrev(next, rest);
  store<i32>(rb, rest, O_NEXT);
  store<f64>(rb, size, O_SIZE);
  return rest;
}

/** Whether key (size, address) sorts before free block `t`'s. */
@inline function keyBefore(size: f64, address: f64, t: i32): bool {
  const st = bSize(t);
  return size < st || (size == st && address < bAddress(t));
}

/** Block `id` (not free, its key between `old`'s neighbours') takes free block `old`'s node (links and priority): old leaves the index, id enters. */
function replaceNode(old: i32, id: i32): void {
  const ro = rec(old);
  const r = rec(id);
  const up = load<i32>(ro, O_UP);
  const left = load<i32>(ro, O_LEFT);
  const right = load<i32>(ro, O_RIGHT);
  store<i32>(r, left, O_LEFT);
  store<i32>(r, right, O_RIGHT);
  store<i32>(r, up, O_UP);
  store<u32>(r, load<u32>(ro, O_PRIORITY), O_PRIORITY);
  store<u8>(r, 1, O_FREE);
  store<u8>(ro, 0, O_FREE);
  if (up < 0) setRoot(<i32>load<u8>(r, O_POOL), id);
  else if (bLeft(up) == old) setLeft(up, id);
  else setRight(up, id);
  if (left >= 0) setUp(left, id);
  if (right >= 0) setUp(right, id);
}

/** Frees an allocated block, merging it with its free neighbours of the same pool. */
export function freeAndMerge(block: i32): i32 {
  const p = bPrev(block);
  if (p >= 0 && bIsFree(p) && bPool(p) == bPool(block)) {
    removeFree(p);
    setSize(p, bSize(p) + bSize(block));
    const after = bNext(block);
    setNext(p, after);
    if (after >= 0) setPrev(after, p);
    dispose(block);
    block = p;
  }
  const n = bNext(block);
  if (n >= 0 && bIsFree(n) && bPool(n) == bPool(block)) {
    removeFree(n);
    setSize(block, bSize(block) + bSize(n));
    const after = bNext(n);
    setNext(block, after);
    if (after >= 0) setPrev(after, block);
    dispose(n);
  }
  insertFree(block);
  return block;
}

export function insertFree(id: i32): void {
  const r = rec(id);
  store<u8>(r, 1, O_FREE);
  store<i32>(r, -1, O_LEFT);
  store<i32>(r, -1, O_RIGHT);
  insertAt(<i32>load<u8>(r, O_POOL), id);
}

export function removeFree(id: i32): void {
  const r = rec(id);
  store<u8>(r, 0, O_FREE);
  removeAt(<i32>load<u8>(r, O_POOL), id);
}

/** The free block with the smallest (size, address) whose size is at least `size`, or -1. */
export function bestFit(pool: i32, size: f64): i32 {
  let t = root(pool);
  let best = -1;
  while (t >= 0) {
    if (bSize(t) >= size) {
      best = t;
      t = bLeft(t);
    } else t = bRight(t);
  }
  return best;
}

/** Next free block of a pool in (size, address) order after `t` (in-order successor), or -1. */
export function successor(t: i32): i32 {
  let r = bRight(t);
  if (r >= 0) {
    while (bLeft(r) >= 0) r = bLeft(r);
    return r;
  }
  let u = bUp(t);
  while (u >= 0 && bRight(u) == t) {
    t = u;
    u = bUp(u);
  }
  return u;
}

/** First free block of a pool in (size, address) order, or -1. */
export function first(pool: i32): i32 {
  let t = root(pool);
  if (t < 0) return -1;
  while (bLeft(t) >= 0) t = bLeft(t);
  return t;
}

/** Previous free block of a pool in (size, address) order before `t` (in-order predecessor), or -1. */
export function predecessor(t: i32): i32 {
  let l = bLeft(t);
  if (l >= 0) {
    while (bRight(l) >= 0) l = bRight(l);
    return l;
  }
  let u = bUp(t);
  while (u >= 0 && bLeft(u) == t) {
    t = u;
    u = bUp(u);
  }
  return u;
}

/** Last free block of a pool in (size, address) order (the largest), or -1. */
export function last(pool: i32): i32 {
  let t = root(pool);
  if (t < 0) return -1;
  while (bRight(t) >= 0) t = bRight(t);
  return t;
}

function insertAt(pool: i32, x: i32): void {
  const px = bPriority(x);
  const sx = bSize(x);
  const ax = bAddress(x);
  let parent = -1;
  let t = root(pool);
  let goLeft = false;
  while (t >= 0 && bPriority(t) >= px) {
    parent = t;
    const st = bSize(t);
    goLeft = sx < st || (sx == st && ax < bAddress(t));
    t = goLeft ? bLeft(t) : bRight(t);
  }
  if (parent < 0) setRoot(pool, x);
  else if (goLeft) setLeft(parent, x);
  else setRight(parent, x);
  setUp(x, parent);
  let lHook = x;
  let lIsLeft = true;
  let rHook = x;
  let rIsLeft = false;
  while (t >= 0) {
    const st = bSize(t);
    if (st < sx || (st == sx && bAddress(t) < ax)) {
      if (lIsLeft) setLeft(lHook, t);
      else setRight(lHook, t);
      setUp(t, lHook);
      lHook = t;
      lIsLeft = false;
      t = bRight(t);
    } else {
      if (rIsLeft) setLeft(rHook, t);
      else setRight(rHook, t);
      setUp(t, rHook);
      rHook = t;
      rIsLeft = true;
      t = bLeft(t);
    }
  }
  if (lIsLeft) setLeft(lHook, -1);
  else setRight(lHook, -1);
  if (rIsLeft) setLeft(rHook, -1);
  else setRight(rHook, -1);
}

function removeAt(pool: i32, x: i32): void {
  let parent = bUp(x);
  let isLeft = parent >= 0 && bLeft(parent) == x;
  let a = bLeft(x);
  let b = bRight(x);
  while (a >= 0 && b >= 0) {
    const takeA = bPriority(a) > bPriority(b);
    const node = takeA ? a : b;
    if (parent < 0) setRoot(pool, node);
    else if (isLeft) setLeft(parent, node);
    else setRight(parent, node);
    setUp(node, parent);
    parent = node;
    if (takeA) {
      a = bRight(a);
      isLeft = false;
    } else {
      b = bLeft(b);
      isLeft = true;
    }
  }
  const rest = a >= 0 ? a : b;
  if (parent < 0) setRoot(pool, rest);
  else if (isLeft) setLeft(parent, rest);
  else setRight(parent, rest);
  if (rest >= 0) setUp(rest, parent);
}
