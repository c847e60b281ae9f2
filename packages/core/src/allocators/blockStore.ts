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
  /** Parent in the free index (-1 at a root), so removal needs no search. */
  private up = new Int32Array(64);
  private priority = new Uint32Array(64);
  private roots: Int32Array;
  private used = 0;
  private recycled = -1;
  private seed = 0x9e3779b9;

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

  /** Whether block a orders before block b: by size, then address. */
  private less(a: number, b: number): boolean {
    const sa = this.size[a];
    const sb = this.size[b];
    return sa < sb || (sa === sb && this.address[a] < this.address[b]);
  }

  /** Makes `node` the left (side 0) or right (side 1) child of `parent`, or the root of `pool`. */
  private attach(pool: number, parent: number, side: number, node: number) {
    if (parent < 0) this.roots[pool] = node;
    else if (side === 0) this.left[parent] = node;
    else this.right[parent] = node;
    if (node >= 0) this.up[node] = parent;
  }

  /** Treap insertion without recursion: descend while priorities are higher, then split below. */
  private insertAt(pool: number, x: number) {
    const left = this.left;
    const right = this.right;
    const up = this.up;
    const priority = this.priority;
    const px = priority[x];
    let parent = -1;
    let side = 0;
    let t = this.roots[pool];
    while (t >= 0 && priority[t] >= px) {
      parent = t;
      if (this.less(x, t)) {
        side = 0;
        t = left[t];
      } else {
        side = 1;
        t = right[t];
      }
    }
    this.attach(pool, parent, side, x);
    // Split the subtree at t around x: smaller nodes hang on x's left, larger on its right.
    let lHook = x;
    let lSide = 0;
    let rHook = x;
    let rSide = 1;
    while (t >= 0) {
      if (this.less(t, x)) {
        if (lSide === 0) left[lHook] = t;
        else right[lHook] = t;
        up[t] = lHook;
        lHook = t;
        lSide = 1;
        t = right[t];
      } else {
        if (rSide === 0) left[rHook] = t;
        else right[rHook] = t;
        up[t] = rHook;
        rHook = t;
        rSide = 0;
        t = left[t];
      }
    }
    if (lSide === 0) left[lHook] = -1;
    else right[lHook] = -1;
    if (rSide === 0) left[rHook] = -1;
    else right[rHook] = -1;
  }

  /** Treap removal without search: merge x's two subtrees in its place (parents are known). */
  private removeAt(pool: number, x: number) {
    const left = this.left;
    const right = this.right;
    const priority = this.priority;
    let parent = this.up[x];
    let side = parent >= 0 && right[parent] === x ? 1 : 0;
    if (parent < 0 && this.roots[pool] !== x) throw new Error("BlockStore: block is not in the free index (internal error)");
    let a = left[x];
    let b = right[x];
    while (a >= 0 && b >= 0) {
      if (priority[a] > priority[b]) {
        this.attach(pool, parent, side, a);
        parent = a;
        side = 1;
        a = right[a];
      } else {
        this.attach(pool, parent, side, b);
        parent = b;
        side = 0;
        b = left[b];
      }
    }
    this.attach(pool, parent, side, a >= 0 ? a : b);
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
    this.up = i32(this.up);
    this.pool = u8(this.pool);
    this.isFree = u8(this.isFree);
    const p = new Uint32Array(n);
    p.set(this.priority);
    this.priority = p;
  }
}
