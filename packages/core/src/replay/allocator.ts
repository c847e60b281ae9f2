import type { ReplaySegment } from "./replayRun.js";

/**
 * What an allocator model sees of a trace when a replay starts: typed arrays from `traceColumns`,
 * the buffers of the replayed view, and the device capacity. Sizes in bytes.
 */
export interface AllocatorInput {
  /** Requested bytes per buffer (dense index). */
  bytes: Float64Array;
  /** 1 where the buffer belongs to the replayed view. */
  inView: Uint8Array;
  /** Dense buffer index of each event. */
  eventBuffer: Int32Array;
  /** 1 for alloc, 0 for free. */
  eventAlloc: Uint8Array;
  /** Device capacity in bytes (`Infinity` when none was given). */
  capacity: number;
}

/**
 * One replay's running allocator: `replay` calls `alloc`/`free` for every event of the view, in
 * order, and reads `reserved`/`allocated` after each. Mutable on purpose (it is internal to a replay);
 * what a replay returns is plain data.
 */
export interface AllocatorState {
  /**
   * `[reserved, allocated]` now: bytes held from the device (segments, regions, the arena) and
   * bytes of live blocks as the allocator rounded them. A typed array so that the replay loop reads
   * it the same way whatever the allocator.
   */
  totals: Float64Array;
  /**
   * Places buffer `buffer` at event `event` (its requested size is `input.bytes[buffer]`); false
   * when it does not fit (OOM). Only integers cross this call, so the replay loop allocates nothing.
   */
  alloc(buffer: number, event: number): boolean;
  /** Frees a live buffer's block at event `event`. */
  free(buffer: number, event: number): void;
  /** Releases cached segments that hold no live block (`torch.cuda.empty_cache()`). */
  emptyCache(event: number): void;
  /** The device allocation the last failed `alloc` tried (PyTorch prints this size). */
  lastAttempt: number;
  /** Per buffer: address of its block (-1 when never placed). */
  address: Float64Array;
  /** Per buffer: size of its block. */
  blockBytes: Float64Array;
  /** Per buffer: index into `segments` (-1 when never placed). */
  segmentOf: Int32Array;
  /** Every segment reserved so far. */
  segments: ReplaySegment[];
}

/**
 * An allocator model: a plain value with its name and options (what a run records) plus `start`,
 * which makes a fresh state for one replay. Strategies are values: pass one to `replay`.
 */
export interface Allocator {
  readonly name: string;
  readonly [option: string]: unknown;
  start(input: AllocatorInput): AllocatorState;
}
