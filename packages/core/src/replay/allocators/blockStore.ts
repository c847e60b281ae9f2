/**
 * Blocks (PyTorch) or chunks (TensorFlow BFC) inside device segments, with the free ones indexed
 * per pool by (size, address): a treap in typed arrays, so best fit, insert and remove are O(log n)
 * and "largest free block" is a walk down the right spine. Shared by `cachingAllocator` and
 * `bfcAllocator`; internal to `@hbmscope/core`.
 */
export class BlockStore {
  address = new Float64Array(0);
  size = new Float64Array(0);
  /** Neighbour blocks in the same segment, by address (-1 at the segment's ends). */
  prev = new Int32Array(0);
  next = new Int32Array(0);
  segment = new Int32Array(0);
  pool = new Uint8Array(0);
  /** 1 while the block sits in its pool's free index. */
  isFree = new Uint8Array(0);
  private left = new Int32Array(0);
  private right = new Int32Array(0);
  /** Parent in the free index (-1 at a root), so removal needs no search. */
  private up = new Int32Array(0);
  private priority = new Uint32Array(0);
  private roots: Int32Array;
  private used = 0;
  private recycled = -1;
  private seed = 0x9e3779b9;

  constructor(pools: number, capacity = 64) {
    this.roots = new Int32Array(pools).fill(-1);
    this.grow(capacity);
  }

  /** A new block (not in any free index). */
  create(address: number, size: number, segment: number, pool: number, prev = -1, next = -1): number {
    const id = this.newId();
    this.address[id] = address;
    this.size[id] = size;
    this.segment[id] = segment;
    this.pool[id] = pool;
    this.prev[id] = prev;
    this.next[id] = next;
    return id;
  }

  /**
   * A fresh id with its treap priority drawn; the caller sets its fields. Takes only integers, so a
   * call that is not inlined boxes no addresses (they exceed small-integer range).
   */
  private newId(): number {
    let id = this.recycled;
    if (id >= 0) this.recycled = this.next[id];
    else {
      if (this.used === this.size.length) this.grow();
      id = this.used++;
    }
    this.isFree[id] = 0;
    this.left[id] = -1;
    this.right[id] = -1;
    // xorshift32: deterministic treap priorities, so the same trace gives the same run.
    let s = this.seed;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.seed = s >>> 0;
    this.priority[id] = this.seed;
    return id;
  }

  /** Returns a block id to the store (it must not be in a free index). */
  dispose(id: number) {
    this.next[id] = this.recycled;
    this.recycled = id;
  }

  /**
   * Splits an allocated block: it keeps its first `size` bytes, and the rest becomes a new free
   * block right after it in the segment. Returns the new block.
   */
  splitAfter(block: number, size: number): number {
    const rest = this.newId(); // before reading the arrays: it may grow them
    const next = this.next[block];
    this.address[rest] = this.address[block] + size;
    this.size[rest] = this.size[block] - size;
    this.segment[rest] = this.segment[block];
    this.pool[rest] = this.pool[block];
    this.prev[rest] = block;
    this.next[rest] = next;
    if (next >= 0) this.prev[next] = rest;
    this.next[block] = rest;
    this.size[block] = size;
    this.insertFree(rest);
    return rest;
  }

  /**
   * Frees an allocated block: it merges with its free neighbours in the segment (PyTorch's
   * free_block, TensorFlow's TryToCoalesce; the merged block is the same whichever side merges
   * first) and the result goes into its pool's free index. Returns the merged block.
   */
  freeAndMerge(block: number): number {
    const size = this.size;
    const next = this.next;
    const prev = this.prev;
    const p = prev[block];
    // Only blocks of one pool merge (an expandable segment's unmapped ranges sit in another).
    if (p >= 0 && this.isFree[p] !== 0 && this.pool[p] === this.pool[block]) {
      this.removeFree(p);
      size[p] += size[block];
      const after = next[block];
      next[p] = after;
      if (after >= 0) prev[after] = p;
      this.dispose(block);
      block = p;
    }
    const n = next[block];
    if (n >= 0 && this.isFree[n] !== 0 && this.pool[n] === this.pool[block]) {
      this.removeFree(n);
      size[block] += size[n];
      const after = next[n];
      next[block] = after;
      if (after >= 0) prev[after] = block;
      this.dispose(n);
    }
    this.insertFree(block);
    return block;
  }

  /** Adds a block to its pool's free index. */
  insertFree(id: number) {
    this.isFree[id] = 1;
    this.left[id] = -1;
    this.right[id] = -1;
    this.insertAt(this.pool[id], id);
  }

  /** Takes a block out of its pool's free index. */
  removeFree(id: number) {
    this.isFree[id] = 0;
    this.removeAt(this.pool[id], id);
  }

  /** The free block with the smallest (size, address) whose size is at least `size`, or -1. */
  bestFit(pool: number, size: number): number {
    let t = this.roots[pool];
    let best = -1;
    const sz = this.size;
    while (t >= 0) {
      if (sz[t] >= size) {
        best = t;
        t = this.left[t];
      } else t = this.right[t];
    }
    return best;
  }

  /** The free block with the largest (size, address) in a pool, or -1. */
  largest(pool: number): number {
    let t = this.roots[pool];
    if (t < 0) return -1;
    while (this.right[t] >= 0) t = this.right[t];
    return t;
  }

  /** The free blocks of a pool in (size, address) order. */
  freeBlocks(pool: number): number[] {
    const out: number[] = [];
    const walk = (t: number) => {
      if (t < 0) return;
      walk(this.left[t]);
      out.push(t);
      walk(this.right[t]);
    };
    walk(this.roots[pool]);
    return out;
  }

  /** Treap insertion without recursion: descend while priorities are higher, then split below. */
  private insertAt(pool: number, x: number) {
    const left = this.left;
    const right = this.right;
    const up = this.up;
    const priority = this.priority;
    const size = this.size;
    const address = this.address;
    const px = priority[x];
    const sx = size[x];
    const ax = address[x];
    let parent = -1;
    let t = this.roots[pool];
    let goLeft = false;
    while (t >= 0 && priority[t] >= px) {
      parent = t;
      const st = size[t];
      // x before t in (size, address) order: go left.
      goLeft = sx < st || (sx === st && ax < address[t]);
      t = goLeft ? left[t] : right[t];
    }
    if (parent < 0) this.roots[pool] = x;
    else if (goLeft) left[parent] = x;
    else right[parent] = x;
    up[x] = parent;
    // Split the subtree at t around x: smaller nodes hang on x's left, larger on its right.
    let lHook = x;
    let lIsLeft = true;
    let rHook = x;
    let rIsLeft = false;
    while (t >= 0) {
      const st = size[t];
      if (st < sx || (st === sx && address[t] < ax)) {
        if (lIsLeft) left[lHook] = t;
        else right[lHook] = t;
        up[t] = lHook;
        lHook = t;
        lIsLeft = false;
        t = right[t];
      } else {
        if (rIsLeft) left[rHook] = t;
        else right[rHook] = t;
        up[t] = rHook;
        rHook = t;
        rIsLeft = true;
        t = left[t];
      }
    }
    if (lIsLeft) left[lHook] = -1;
    else right[lHook] = -1;
    if (rIsLeft) left[rHook] = -1;
    else right[rHook] = -1;
  }

  /** Treap removal without search: merge x's two subtrees in its place (parents are known). */
  private removeAt(pool: number, x: number) {
    const left = this.left;
    const right = this.right;
    const up = this.up;
    const priority = this.priority;
    let parent = up[x];
    if (parent < 0 && this.roots[pool] !== x) throw new Error("BlockStore: block is not in the free index (internal error)");
    // Where the merged subtree hangs: the root, or parent's left or right.
    let isLeft = parent >= 0 && left[parent] === x;
    let a = left[x];
    let b = right[x];
    while (a >= 0 && b >= 0) {
      // The higher priority of the two roots takes x's place; merging goes on below it: on a's
      // right (a taken) or on b's left (b taken).
      const takeA = priority[a] > priority[b];
      const node = takeA ? a : b;
      if (parent < 0) this.roots[pool] = node;
      else if (isLeft) left[parent] = node;
      else right[parent] = node;
      up[node] = parent;
      parent = node;
      if (takeA) {
        a = right[a];
        isLeft = false;
      } else {
        b = left[b];
        isLeft = true;
      }
    }
    const rest = a >= 0 ? a : b;
    if (parent < 0) this.roots[pool] = rest;
    else if (isLeft) left[parent] = rest;
    else right[parent] = rest;
    if (rest >= 0) up[rest] = parent;
  }

  /**
   * Room for `n` blocks: every field in one new ArrayBuffer (one allocation per growth, so a replay
   * triggers as few young-generation collections as possible, see `replay`).
   */
  private grow(n = this.size.length * 2) {
    const buffer = new ArrayBuffer(n * (2 * 8 + 7 * 4 + 2));
    let at = 0;
    const take = <T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(make: new (b: ArrayBuffer, o: number, l: number) => T, old: T, width: number): T => {
      const a = new make(buffer, at, n);
      a.set(old as never);
      at += n * width;
      return a;
    };
    this.address = take(Float64Array, this.address, 8);
    this.size = take(Float64Array, this.size, 8);
    this.prev = take(Int32Array, this.prev, 4);
    this.next = take(Int32Array, this.next, 4);
    this.segment = take(Int32Array, this.segment, 4);
    this.left = take(Int32Array, this.left, 4);
    this.right = take(Int32Array, this.right, 4);
    this.up = take(Int32Array, this.up, 4);
    this.priority = take(Uint32Array, this.priority, 4);
    this.pool = take(Uint8Array, this.pool, 1);
    this.isFree = take(Uint8Array, this.isFree, 1);
  }
}
