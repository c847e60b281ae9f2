import type { Allocator, AllocatorInput, AllocatorState } from "../allocator.js";
import type { ReplaySegment } from "../replayRun.js";
import { BlockStore } from "./blockStore.js";
import { ExpandableSegments } from "./expandableSegments.js";
import { PlacementState } from "./placementState.js";
import { withWasmPlan } from "../wasm/wasmPlan.js";

// Constants of PyTorch's CUDA caching allocator (c10/cuda/CUDACachingAllocator.cpp).
/** All sizes are rounded to at least 512 bytes (kMinBlockSize). */
export const K_MIN_BLOCK_SIZE = 512;
/** Largest "small" allocation is 1 MiB (kSmallSize). */
export const K_SMALL_SIZE = 1048576;
/** Small allocations are packed in 2 MiB segments (kSmallBuffer). */
export const K_SMALL_BUFFER = 2097152;
/** Large allocations may be packed in 20 MiB segments (kLargeBuffer). */
export const K_LARGE_BUFFER = 20971520;
/** Allocations between 1 and 10 MiB may use kLargeBuffer (kMinLargeAlloc). */
export const K_MIN_LARGE_ALLOC = 10485760;
/** Larger segments are rounded up to 2 MiB (kRoundLarge). */
export const K_ROUND_LARGE = 2097152;

const SMALL = 0;
const LARGE = 1;

export interface CachingAllocatorOptions {
  /**
   * `max_split_size_mb` in bytes: cached blocks at least this large are never split, and a request
   * below it never takes one. PyTorch requires more than 20 MiB. @defaultValue `Infinity` (off)
   */
  maxSplitSize?: number;
  /**
   * `max_non_split_rounding_mb` in bytes: a request of at least `maxSplitSize` only takes an
   * unsplittable block smaller than request + this. @defaultValue 20 MiB (kLargeBuffer)
   */
  maxNonSplitRoundingSize?: number;
  /**
   * `roundup_power2_divisions`: round sizes up to one of N equal steps between powers of two.
   * A number applies to every size; an array of 16 gives the divisions per power-of-two interval
   * from 1 MiB (index 0, which also takes smaller sizes) to 32 GiB and above (index 15), as
   * PyTorch's per-interval form. 0 or 1 means plain 512-byte rounding. @defaultValue 0 (off)
   */
  roundupPower2Divisions?: number | readonly number[];
  /**
   * `expandable_segments:True`: each pool maps pages (2 MiB small, 20 MiB large) into one growing
   * range of addresses instead of reserving a segment per miss, and large blocks split like small
   * ones (see `ExpandableSegments`). @defaultValue false
   */
  expandableSegments?: boolean;
}

/** The options a caching allocator runs with, all filled in (what a `ReplayRun` records). */
export interface CachingAllocator extends Allocator {
  readonly name: "caching";
  readonly maxSplitSize: number;
  readonly maxNonSplitRoundingSize: number;
  readonly roundupPower2Divisions: number | readonly number[];
  readonly expandableSegments: boolean;
}

/**
 * PyTorch's CUDA caching allocator (`c10/cuda/CUDACachingAllocator.cpp`), rule for rule, for one
 * stream:
 * - sizes round up to 512 bytes (or to power-of-two divisions with `roundupPower2Divisions`);
 * - rounded sizes up to 1 MiB use the small pool, carved from 2 MiB segments; larger ones the large
 *   pool, from 20 MiB segments below 10 MiB, else from a segment of the size rounded up to 2 MiB;
 * - a request takes the cached free block with the smallest (size, address) that fits (best fit);
 * - the block is split when the remainder is at least 512 bytes (small pool) or more than 1 MiB
 *   (large pool, and only for requests below `maxSplitSize`);
 * - a freed block merges with free neighbours of its segment and goes back to the cache;
 * - segments go back to the device only on `emptyCache`, or when a new segment would not fit in
 *   the capacity: first oversize cached blocks (with `maxSplitSize`), then every cached segment
 *   with no live block, then one retry; then out of memory.
 * With `expandableSegments`, misses map pages into one growing range per pool instead, blocks
 * split whenever 512 bytes or more remain, and releasing cached memory unmaps the whole pages of
 * free blocks (`ExpandableSegments`).
 */
export function cachingAllocator(options: CachingAllocatorOptions = {}): CachingAllocator {
  const maxSplitSize = options.maxSplitSize ?? Infinity;
  const maxNonSplitRoundingSize = options.maxNonSplitRoundingSize ?? K_LARGE_BUFFER;
  const divisions = options.roundupPower2Divisions ?? 0;
  if (!(maxSplitSize > K_LARGE_BUFFER)) {
    // CUDAAllocatorConfig::parseMaxSplitSize: "max_split_size_mb too small, must be > 20".
    throw new Error(`cachingAllocator: maxSplitSize must be more than 20 MiB (${K_LARGE_BUFFER} bytes), as in PyTorch; got ${maxSplitSize}`);
  }
  if (!(maxNonSplitRoundingSize >= 0)) {
    throw new Error(`cachingAllocator: maxNonSplitRoundingSize must be a non-negative number of bytes; got ${maxNonSplitRoundingSize}`);
  }
  const divisionList = typeof divisions === "number" ? new Array<number>(16).fill(divisions) : [...divisions];
  if (divisionList.length !== 16 || divisionList.some((d) => !Number.isInteger(d) || d < 0 || (d > 1 && (d & (d - 1)) !== 0))) {
    throw new Error(
      `cachingAllocator: roundupPower2Divisions must be 0, 1 or a power of two, or an array of 16 of those (one per power-of-two interval from 1 MiB); got ${JSON.stringify(divisions)}`,
    );
  }
  const rounding = divisionList.every((d) => d <= 1) ? null : divisionList;
  const expandableSegments = options.expandableSegments ?? false;
  if (typeof expandableSegments !== "boolean") throw new Error(`cachingAllocator: expandableSegments must be true or false; got ${JSON.stringify(expandableSegments)}`);
  const allocator: CachingAllocator = {
    name: "caching",
    maxSplitSize,
    maxNonSplitRoundingSize,
    roundupPower2Divisions: divisions,
    expandableSegments,
    start: (input) => new CachingState(input, rounding, maxSplitSize, maxNonSplitRoundingSize, expandableSegments),
  };
  // `replay` runs these rules in WebAssembly too (packages/core/wasm/cachingReplay.ts and, for
  // expandable segments, expandableSegments.ts).
  return withWasmPlan(allocator, { kind: "caching", maxSplitSize, maxNonSplitRoundingSize, divisions: rounding, expandableSegments });
}

/** round_size(): at least 512 bytes, a multiple of 512, or the next power-of-two division. */
function roundSize(size: number, divisions: number[] | null): number {
  if (size < K_MIN_BLOCK_SIZE) return K_MIN_BLOCK_SIZE;
  if (divisions !== null) {
    const d = divisionsFor(divisions, size);
    if (d > 1 && size > K_MIN_BLOCK_SIZE * d) return roundupPower2NextDivision(size, d);
  }
  return K_MIN_BLOCK_SIZE * Math.ceil(size / K_MIN_BLOCK_SIZE);
}
/** AcceleratorAllocatorConfig::roundup_power2_divisions(size): 16 intervals from 1 MiB. */
function divisionsFor(divisions: number[], size: number): number {
  const index = Math.min(Math.max(floorLog2(size) - 20, 0), 15);
  return divisions[index];
}

function floorLog2(x: number): number {
  let k = Math.floor(Math.log2(x));
  if (2 ** k > x) k--;
  if (2 ** (k + 1) <= x) k++;
  return k;
}

/** roundup_power2_next_division(): e.g. 1200 with 4 divisions -> 1280 (1024, 1280, 1536, 1792). */
export function roundupPower2NextDivision(size: number, divisions: number): number {
  const floor = 2 ** floorLog2(size);
  if (floor === size) return size;
  const step = floor / 2 ** floorLog2(divisions);
  if (step < 1) return floor * 2;
  const down = Math.floor(size / step) * step;
  return down === size ? size : down + step;
}

/** get_allocation_size(): the segment a new block of `size` (rounded) bytes comes from. */
export function cachingSegmentSize(size: number): number {
  if (size <= K_SMALL_SIZE) return K_SMALL_BUFFER;
  if (size < K_MIN_LARGE_ALLOC) return K_LARGE_BUFFER;
  return K_ROUND_LARGE * Math.ceil(size / K_ROUND_LARGE);
}

/**
 * One replay's caching allocator. A class, not closures: its methods are shared by every replay,
 * so the replay loop's calls into it stay monomorphic and optimised code is reused across replays.
 */
class CachingState extends PlacementState implements AllocatorState {
  // Pools 0 (small) and 1 (large); 2 and 3 hold an expandable segment's unmapped ranges.
  private readonly store = new BlockStore(4, 4096);
  private readonly blockOf: Int32Array;
  private nextAddress = 0;
  private readonly expandable: ExpandableSegments | null;

  constructor(
    input: AllocatorInput,
    private readonly divisions: number[] | null,
    private readonly maxSplitSize: number,
    private readonly maxNonSplitRoundingSize: number,
    expandableSegments: boolean,
  ) {
    super(input);
    const nb = input.bytes.length;
    this.blockOf = new Int32Array(nb).fill(-1);
    // PyTorch reserves addresses for 1 1/8 of the device's memory per expandable segment
    // (ExpandableSegment's constructor); without a capacity, 16 TiB.
    const addressSpace = Number.isFinite(this.capacity) ? this.capacity + this.capacity / 8 : 2 ** 44;
    this.expandable = expandableSegments
      ? new ExpandableSegments(this.store, this.segments, this.totals, addressSpace, [K_SMALL_BUFFER, K_LARGE_BUFFER], ["small", "large"], 0)
      : null;
  }

  alloc(buffer: number, event: number): boolean {
    const bytes = this.bytes[buffer];
    // A zero-byte tensor gets no block (PyTorch returns a null pointer without allocating).
    if (bytes === 0) return true;
    const store = this.store;
    const size = roundSize(bytes, this.divisions);
    const pool = size <= K_SMALL_SIZE ? SMALL : LARGE;
    let block = this.getFreeBlock(pool, size);
    if (block < 0) {
      block = this.expandable ? this.newExpandableBlock(pool, size, event) : this.newBlock(pool, size, event);
      if (block < 0) return false;
    }
    const blockSize = store.size[block];
    // should_split(): the remainder becomes a free block of the same segment.
    const remaining = blockSize - size;
    if (pool === SMALL || this.expandable ? remaining >= K_MIN_BLOCK_SIZE : size < this.maxSplitSize && remaining > K_SMALL_SIZE) {
      store.splitAfter(block, size);
    }
    const address = store.address[block];
    this.blockOf[buffer] = block;
    this.address[buffer] = address;
    this.blockBytes[buffer] = store.size[block];
    this.segmentOf[buffer] = this.expandable ? this.expandable.recordAt(address) : store.segment[block];
    this.totals[1] += store.size[block];
    return true;
  }

  free(buffer: number): void {
    const block = this.blockOf[buffer];
    if (block < 0) return;
    this.blockOf[buffer] = -1;
    this.totals[1] -= this.store.size[block];
    // free_block(): merge with free neighbours of the same segment, then back into the pool.
    this.store.freeAndMerge(block);
  }

  emptyCache(event: number): void {
    this.releaseCachedBlocks(event);
  }

  /** get_free_block(): the lower bound of (size, address) in the pool, with the max-split rules. */
  private getFreeBlock(pool: number, size: number): number {
    const store = this.store;
    const block = store.bestFit(pool, size);
    if (block < 0) return -1;
    const found = store.size[block];
    // Do not return an oversized block for a request below max_split_size.
    if (size < this.maxSplitSize && found >= this.maxSplitSize) return -1;
    // An oversized block may serve a request only within max_non_split_rounding_size of its size.
    if (size >= this.maxSplitSize && found >= size + this.maxNonSplitRoundingSize) return -1;
    store.removeFree(block);
    return block;
  }

  /** No cached block fits, with expandable segments: map pages, unmapping cached ones first if the capacity requires. */
  private newExpandableBlock(pool: number, size: number, event: number): number {
    const expandable = this.expandable!;
    let block = expandable.allocate(pool, size, this.capacity, event);
    if (block < 0) {
      expandable.releaseCached(event);
      block = expandable.allocate(pool, size, this.capacity, event);
    }
    if (block < 0) this.lastAttempt = size;
    return block;
  }

  /** No cached block fits: a new segment, releasing cached ones first if the capacity requires. */
  private newBlock(pool: number, size: number, event: number): number {
    const allocSize = cachingSegmentSize(size);
    let block = this.allocBlock(pool, allocSize, event);
    if (block < 0 && this.releaseAvailableCachedBlocks(pool, size, event)) block = this.allocBlock(pool, allocSize, event);
    if (block < 0) {
      this.releaseCachedBlocks(event);
      block = this.allocBlock(pool, allocSize, event);
    }
    if (block < 0) this.lastAttempt = allocSize;
    return block;
  }

  /** alloc_block(): a new segment from the device, if the capacity allows it. */
  private allocBlock(pool: number, allocSize: number, event: number): number {
    if (this.totals[0] + allocSize > this.capacity) return -1;
    const seg = this.segments.length;
    this.segments.push({ address: this.nextAddress, bytes: allocSize, pool: pool === SMALL ? "small" : "large", reservedAt: event, releasedAt: -1 });
    const block = this.store.create(this.nextAddress, allocSize, seg, pool);
    this.nextAddress += allocSize;
    this.totals[0] += allocSize;
    return block;
  }

  /** release_block(): a whole free segment back to the device. */
  private releaseBlock(block: number, event: number) {
    const store = this.store;
    store.removeFree(block);
    this.segments[store.segment[block]].releasedAt = event;
    this.totals[0] -= store.size[block];
    store.dispose(block);
  }

  /**
   * release_available_cached_blocks(): with max_split_size set, free the smallest oversize cached
   * block that covers the request, else oversize blocks from the largest down until enough is freed.
   */
  private releaseAvailableCachedBlocks(pool: number, size: number, event: number): boolean {
    if (this.maxSplitSize === Infinity) return false;
    const store = this.store;
    const key = Math.max(size, this.maxSplitSize);
    const fit = store.bestFit(pool, key);
    if (fit >= 0) {
      this.releaseBlock(fit, event);
      return true;
    }
    const oversize = store.freeBlocks(pool).filter((b) => store.size[b] >= this.maxSplitSize);
    let released = 0;
    for (let i = oversize.length - 1; i >= 0 && released < key; i--) {
      released += store.size[oversize[i]];
      this.releaseBlock(oversize[i], event);
    }
    return released >= key;
  }

  /** release_cached_blocks(): every cached block that is a whole segment goes back. */
  private releaseCachedBlocks(event: number) {
    if (this.expandable) return this.expandable.releaseCached(event);
    const store = this.store;
    for (const pool of [LARGE, SMALL]) {
      for (const b of store.freeBlocks(pool)) if (store.prev[b] < 0 && store.next[b] < 0) this.releaseBlock(b, event);
    }
  }
}
