/**
 * Blocks (PyTorch) or chunks (TensorFlow BFC) inside device segments, with the free ones indexed
 * per pool by (size, address): a treap in typed arrays, so best fit, insert and remove are O(log n)
 * and "largest free block" is a walk down the right spine. Shared by `cachingAllocator` and
 * `bfcAllocator`; internal to `@hbmscope/core`.
 */
export class BlockStore {
  address = new Float64Array(64);
  size = new Float64Array(64);
  /** Neighbour blocks in the same segment, by address (-1 at the segment's ends). */
  prev = new Int32Array(64);
  next = new Int32Array(64);
  segment = new Int32Array(64);
  pool = new Uint8Array(64);
  /** 1 while the block sits in its pool's free index. */
  isFree = new Uint8Array(64);
  private left = new Int32Array(64);
  private right = new Int32Array(64);
  private priority = new Uint32Array(64);
  private roots: Int32Array;
  private used = 0;
  private recycled = -1;
  private seed = 0x9e3779b9;
  private splitLeft = -1;
  private splitRight = -1;

  constructor(pools: number) {
    this.roots = new Int32Array(pools).fill(-1);
  }

  /** A new block (not in any free index). */
  create(address: number, size: number, segment: number, pool: number, prev = -1, next = -1): number {
    let id = this.recycled;
    if (id >= 0) this.recycled = this.next[id];
    else {
      if (this.used === this.size.length) this.grow();
      id = this.used++;
    }
    this.address[id] = address;
    this.size[id] = size;
    this.segment[id] = segment;
    this.pool[id] = pool;
    this.prev[id] = prev;
    this.next[id] = next;
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

  /** Adds a block to its pool's free index. */
  insertFree(id: number) {
    this.isFree[id] = 1;
    this.left[id] = -1;
    this.right[id] = -1;
    const p = this.pool[id];
    this.roots[p] = this.insertAt(this.roots[p], id);
  }

  /** Takes a block out of its pool's free index. */
  removeFree(id: number) {
    this.isFree[id] = 0;
    const p = this.pool[id];
    this.roots[p] = this.removeAt(this.roots[p], id);
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

  private less(a: number, b: number): boolean {
    const sa = this.size[a];
    const sb = this.size[b];
    return sa < sb || (sa === sb && this.address[a] < this.address[b]);
  }

  private insertAt(t: number, x: number): number {
    if (t < 0) return x;
    if (this.priority[x] > this.priority[t]) {
      this.split(t, x);
      this.left[x] = this.splitLeft;
      this.right[x] = this.splitRight;
      return x;
    }
    if (this.less(x, t)) this.left[t] = this.insertAt(this.left[t], x);
    else this.right[t] = this.insertAt(this.right[t], x);
    return t;
  }

  /** Splits tree `t` into nodes ordered before `x` (splitLeft) and after (splitRight). */
  private split(t: number, x: number) {
    if (t < 0) {
      this.splitLeft = this.splitRight = -1;
    } else if (this.less(t, x)) {
      this.split(this.right[t], x);
      this.right[t] = this.splitLeft;
      this.splitLeft = t;
    } else {
      this.split(this.left[t], x);
      this.left[t] = this.splitRight;
      this.splitRight = t;
    }
  }

  private removeAt(t: number, x: number): number {
    if (t < 0) throw new Error("BlockStore: block is not in the free index (internal error)");
    if (t === x) return this.merge(this.left[t], this.right[t]);
    if (this.less(x, t)) this.left[t] = this.removeAt(this.left[t], x);
    else this.right[t] = this.removeAt(this.right[t], x);
    return t;
  }

  private merge(a: number, b: number): number {
    if (a < 0) return b;
    if (b < 0) return a;
    if (this.priority[a] > this.priority[b]) {
      this.right[a] = this.merge(this.right[a], b);
      return a;
    }
    this.left[b] = this.merge(a, this.left[b]);
    return b;
  }

  private grow() {
    const n = this.size.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    const u8 = (a: Uint8Array) => {
      const b = new Uint8Array(n);
      b.set(a);
      return b;
    };
    this.address = f64(this.address);
    this.size = f64(this.size);
    this.prev = i32(this.prev);
    this.next = i32(this.next);
    this.segment = i32(this.segment);
    this.left = i32(this.left);
    this.right = i32(this.right);
    this.pool = u8(this.pool);
    this.isFree = u8(this.isFree);
    const p = new Uint32Array(n);
    p.set(this.priority);
    this.priority = p;
  }
}
