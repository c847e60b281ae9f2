import type { Allocator, AllocatorInput, AllocatorState } from "../allocator.js";
import type { ReplaySegment } from "../replayRun.js";
import { BlockStore } from "./blockStore.js";
import { PlacementState } from "./placementState.js";
import { withWasmPlan } from "../wasm/wasmPlan.js";

// Constants of TensorFlow's BFC allocator (xla/tsl/framework/bfc_allocator.{h,cc}, formerly
// tensorflow/core/common_runtime/bfc_allocator.cc).
/** Every allocation is a multiple of 256 bytes (kMinAllocationSize). */
export const BFC_MIN_ALLOCATION_SIZE = 256;
/** Number of size bins (kNumBins): bin b holds free chunks of at least 256 << b bytes. */
export const BFC_NUM_BINS = 21;
/** With allow_growth the first region is min(limit, 2 MiB). */
export const BFC_INITIAL_GROWTH_REGION = 2 << 20;
/** A chunk is split when the leftover would be at least this (max_internal_fragmentation_bytes). */
export const BFC_MAX_INTERNAL_FRAGMENTATION = 128 << 20;

export interface BfcAllocatorOptions {
  /**
   * `allow_growth`: start with a 2 MiB region and double the region size for each new one (and
   * while a request exceeds it). Without it, one region of the whole capacity is reserved at the
   * first allocation (a replay then needs a `capacity`). @defaultValue `true`
   */
  allowGrowth?: boolean;
  /**
   * `garbage_collection`: when nothing fits, release regions with no chunk in use and try to grow
   * again before failing (TF_ENABLE_GPU_GARBAGE_COLLECTION, on by default). @defaultValue `true`
   */
  garbageCollection?: boolean;
  /**
   * `fragmentation_fraction`: with a capacity, split chunks whose leftover is at least this fraction
   * of it; 0 keeps TensorFlow's fixed 128 MiB. @defaultValue 0
   */
  fragmentationFraction?: number;
}

export interface BfcAllocator extends Allocator {
  readonly name: "bfc";
  readonly allowGrowth: boolean;
  readonly garbageCollection: boolean;
  readonly fragmentationFraction: number;
}

/** BinNumForSize(): the bin of a chunk size (log2 of size / 256, at most 20). */
export function bfcBin(bytes: number): number {
  const v = Math.max(bytes, BFC_MIN_ALLOCATION_SIZE) / BFC_MIN_ALLOCATION_SIZE;
  return Math.min(Math.floor(Math.log2(v)), BFC_NUM_BINS - 1);
}

function roundedBytes(bytes: number): number {
  return BFC_MIN_ALLOCATION_SIZE * Math.ceil(bytes / BFC_MIN_ALLOCATION_SIZE);
}

/**
 * TensorFlow's best-fit-with-coalescing allocator (what tfjs-node-gpu runs on), for one device:
 * - requests round up to a multiple of 256 bytes;
 * - free chunks sit in 21 bins by size, each ordered by (size, address); a request scans bins from
 *   its own upward and takes the first chunk that fits. Bins partition sizes in order, so this is
 *   the global best fit by (size, address), which is how the index here finds it (O(log n));
 * - a chunk is split when it is at least twice the rounded request, or the leftover is at least
 *   128 MiB; otherwise the whole chunk is handed out (internal fragmentation);
 * - a freed chunk coalesces with free neighbours;
 * - when nothing fits, a new region is reserved (see `allowGrowth`); when that does not fit the
 *   capacity, free regions are released and growth tried again; then out of memory.
 */
export function bfcAllocator(options: BfcAllocatorOptions = {}): BfcAllocator {
  const allowGrowth = options.allowGrowth ?? true;
  const garbageCollection = options.garbageCollection ?? true;
  const fragmentationFraction = options.fragmentationFraction ?? 0;
  if (!(fragmentationFraction >= 0 && fragmentationFraction <= 1)) {
    throw new Error(`bfcAllocator: fragmentationFraction must be between 0 and 1; got ${fragmentationFraction}`);
  }
  const allocator: BfcAllocator = {
    name: "bfc",
    allowGrowth,
    garbageCollection,
    fragmentationFraction,
    start: (input) => new BfcState(input, allowGrowth, garbageCollection, fragmentationFraction),
  };
  // `replay` runs these rules in WebAssembly too (packages/core/wasm/bfcReplay.ts).
  return withWasmPlan(allocator, { kind: "bfc", allowGrowth, garbageCollection, fragmentationFraction });
}

/** One replay's BFC allocator (a class, so that replays share its optimised methods). */
class BfcState extends PlacementState implements AllocatorState {
  private readonly store = new BlockStore(1, 4096);
  private readonly chunkOf: Int32Array;
  private readonly limit: number;
  private nextAddress = 0;
  private regionBytes: number;
  private readonly maxInternalFragmentation: number;

  constructor(
    input: AllocatorInput,
    allowGrowth: boolean,
    private readonly garbageCollection: boolean,
    fragmentationFraction: number,
  ) {
    super(input);
    const limit = input.capacity;
    if (!allowGrowth && limit === Infinity) {
      throw new Error("bfcAllocator: allowGrowth: false reserves the whole memory limit at once, so the replay needs a capacity");
    }
    const nb = input.bytes.length;
    this.limit = limit;
    this.chunkOf = new Int32Array(nb).fill(-1);
    this.regionBytes = allowGrowth ? roundedBytes(Math.min(limit, BFC_INITIAL_GROWTH_REGION)) : roundedBytes(limit);
    this.maxInternalFragmentation =
      fragmentationFraction > 0 && limit < Infinity ? fragmentationFraction * limit : BFC_MAX_INTERNAL_FRAGMENTATION;
  }

  alloc(buffer: number, event: number): boolean {
    const bytes = this.bytes[buffer];
    // AllocateRaw of 0 bytes returns null without allocating.
    if (bytes === 0) return true;
    const store = this.store;
    const rounded = roundedBytes(bytes);
    let chunk = store.bestFit(0, rounded);
    if (chunk < 0) {
      chunk = this.grow(rounded, event);
      if (chunk < 0) return false;
    }
    store.removeFree(chunk);
    const size = store.size[chunk];
    if (size >= rounded * 2 || size - rounded >= this.maxInternalFragmentation) store.splitAfter(chunk, rounded);
    this.chunkOf[buffer] = chunk;
    this.address[buffer] = store.address[chunk];
    this.blockBytes[buffer] = store.size[chunk];
    this.segmentOf[buffer] = store.segment[chunk];
    this.totals[1] += store.size[chunk];
    return true;
  }

  free(buffer: number): void {
    const chunk = this.chunkOf[buffer];
    if (chunk < 0) return;
    this.chunkOf[buffer] = -1;
    this.totals[1] -= this.store.size[chunk];
    // TryToCoalesce(): merge with free neighbours.
    this.store.freeAndMerge(chunk);
  }

  emptyCache(event: number): void {
    // TensorFlow has no empty_cache; an emptyCache mark releases regions with nothing in use,
    // as its garbage collection does.
    this.releaseFreeRegions(event);
  }

  /** Nothing fits: extend, then (garbage collection) release free regions and extend again. */
  private grow(rounded: number, event: number): number {
    const store = this.store;
    if (this.extend(rounded, event)) return store.bestFit(0, rounded);
    if (this.deallocateFreeRegions(rounded, event) && this.extend(rounded, event)) return store.bestFit(0, rounded);
    this.lastAttempt = rounded;
    return -1;
  }

  /** Extend(): a new region for a request of `rounded` bytes, if the limit allows it. */
  private extend(rounded: number, event: number): boolean {
    const available = Math.floor((this.limit - this.totals[0]) / BFC_MIN_ALLOCATION_SIZE) * BFC_MIN_ALLOCATION_SIZE;
    if (rounded > available) return false;
    let increased = false;
    while (rounded > this.regionBytes) {
      this.regionBytes *= 2;
      increased = true;
    }
    const bytes = Math.min(this.regionBytes, available);
    if (!increased) this.regionBytes *= 2;
    const seg = this.segments.length;
    this.segments.push({ address: this.nextAddress, bytes, pool: "region", reservedAt: event, releasedAt: -1 });
    const chunk = this.store.create(this.nextAddress, bytes, seg, 0);
    this.store.insertFree(chunk);
    this.nextAddress += bytes;
    this.totals[0] += bytes;
    return true;
  }

  /** Regions whose only chunk is free (nothing in use). */
  private freeRegionChunks(): number[] {
    const store = this.store;
    return store.freeBlocks(0).filter((c) => store.prev[c] < 0 && store.next[c] < 0);
  }

  private releaseFreeRegions(event: number) {
    const store = this.store;
    for (const c of this.freeRegionChunks()) {
      store.removeFree(c);
      this.segments[store.segment[c]].releasedAt = event;
      this.totals[0] -= store.size[c];
      store.dispose(c);
    }
  }

  /** DeallocateFreeRegions(): only when garbage collection is on and it could make room. */
  private deallocateFreeRegions(rounded: number, event: number): boolean {
    if (!this.garbageCollection) return false;
    const chunks = this.freeRegionChunks();
    let total = 0;
    for (const c of chunks) total += this.store.size[c];
    if (total === 0 || rounded > this.limit - this.totals[0] + total) return false;
    this.releaseFreeRegions(event);
    return true;
  }
}
