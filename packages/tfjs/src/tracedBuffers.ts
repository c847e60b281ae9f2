import { CATEGORIES, type Category } from "@hbmscope/core";

/** Each category's index in core's `CATEGORIES` (the columns' category codes). */
const CATEGORY_INDEX = new Map<string, number>(CATEGORIES.map((c, i) => [c, i]));

/** The code of `category` in core's `CATEGORIES` (the columns' category codes). */
export function categoryCode(category: Category): number {
  return CATEGORY_INDEX.get(category) ?? CATEGORIES.length - 1;
}

/** When two contexts claim a buffer, the stronger category wins: rank by category code. */
const RANK_OF: Record<Category, number> = { weight: 6, optimizer: 6, input: 5, activation: 4, gradient: 3, temporary: 2, other: 1 };
const RANK = Uint8Array.from(CATEGORIES, (c) => RANK_OF[c]);

/**
 * The buffers `traceTfjs` records, in columns grown as it goes: numbers in typed arrays (outside
 * the JS heap: a garbage collection neither copies nor scans them), shapes copied into one pool of
 * numbers rather than kept as tfjs' own arrays (each of which would otherwise live, and be moved
 * to the old generation, until the trace ends), strings as references to the tracer's interned ones.
 */
export class TracedBuffers {
  count = 0;
  /** Bytes per buffer. */
  bytes = new Float64Array(1024);
  /** Category code per buffer (`CATEGORIES` index). */
  category = new Uint8Array(1024);
  /** The tracer's flag bits per buffer. */
  flags = new Uint8Array(1024);
  /** Where each buffer's shape starts in `dims`, or -1 without one. */
  private shapeAt = new Int32Array(1024);
  private shapeRank = new Uint8Array(1024);
  private dims = new Float64Array(4096);
  private dimCount = 0;
  readonly dtype: (string | undefined)[] = [];
  readonly op: string[] = [];
  readonly scope: string[] = [];
  readonly phase: string[] = [];

  /** Adds a buffer; returns its id (ids count from 0). */
  add(bytes: number, category: number, dtype: string | undefined, shape: readonly number[] | undefined, op: string, scope: string, phase: string, flags: number): number {
    const b = this.count;
    if (b === this.bytes.length) this.grow();
    this.bytes[b] = bytes;
    this.category[b] = category;
    this.flags[b] = flags;
    this.shapeAt[b] = -1;
    if (shape !== undefined) this.setShape(b, shape);
    this.dtype.push(dtype);
    this.op.push(op);
    this.scope.push(scope);
    this.phase.push(phase);
    this.count = b + 1;
    return b;
  }

  /** Raises buffer `b`'s category to `category` when that ranks higher. */
  upgrade(b: number, category: number): void {
    if (RANK[category] > RANK[this.category[b]]) this.category[b] = category;
  }

  hasShape(b: number): boolean {
    return this.shapeAt[b] >= 0;
  }

  /** Records `shape` (copied) as buffer `b`'s. */
  setShape(b: number, shape: readonly number[]): void {
    const rank = shape.length;
    if (rank > 255) throw new Error(`traceTfjs: a tensor of rank ${rank}; tfjs tensors have at most 255 dimensions here`);
    if (this.dimCount + rank > this.dims.length) this.dims = grown(this.dims, Math.max(2 * this.dims.length, this.dimCount + rank));
    for (let i = 0; i < rank; i++) this.dims[this.dimCount + i] = shape[i];
    this.shapeAt[b] = this.dimCount;
    this.shapeRank[b] = rank;
    this.dimCount += rank;
  }

  /** Buffer `b`'s shape, a new array, or undefined without one. */
  shape(b: number): number[] | undefined {
    const at = this.shapeAt[b];
    if (at < 0) return undefined;
    return Array.from(this.dims.subarray(at, at + this.shapeRank[b]));
  }

  private grow(): void {
    const n = 2 * this.bytes.length;
    this.bytes = grown(this.bytes, n);
    this.category = grown(this.category, n);
    this.flags = grown(this.flags, n);
    this.shapeAt = grown(this.shapeAt, n);
    this.shapeRank = grown(this.shapeRank, n);
  }
}

/** A copy of `a` with room for `n` items. */
function grown<A extends Float64Array | Int32Array | Uint8Array>(a: A, n: number): A {
  const out = new (a.constructor as new (n: number) => A)(n);
  out.set(a);
  return out;
}
