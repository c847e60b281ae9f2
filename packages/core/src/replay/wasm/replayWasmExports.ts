/** An exported global of the module (WasmGlobal): a byte offset or a count. */
export interface WasmGlobal {
  readonly value: number;
}

/**
 * The exports of the allocator replay's WebAssembly module (packages/core/wasm/index.ts): entry
 * points, and as globals the byte offsets in `memory` of every column and the counts.
 */
export interface ReplayWasmExports {
  /** Its linear memory (WebAssembly.Memory; core's lib has no DOM types, so only what is used). */
  memory: { readonly buffer: ArrayBuffer };
  /** Lays out the inputs of `buffers` buffers, `events` events and `marks` emptyCache marks. */
  setup(buffers: number, events: number, marks: number): void;
  /**
   * Once the inputs are written: lays out the outputs (initial values filled) and the block store
   * for the view whose bit is `viewBit`, with `segFactor` x room for segments (1: one per alloc).
   */
  layout(segFactor: number, viewBit: number): void;
  /** The caching allocator's replay, then the summary (replaySummary.ts); the OOM event's index or -1. */
  replayCaching(capacity: number, maxSplitSize: number, maxNonSplitRoundingSize: number, divisions: number, expandableAddressSpace: number): number;
  /** The BFC allocator's replay, then the summary (replaySummary.ts); the OOM event's index or -1. */
  replayBfc(limit: number, firstRegion: number, maxInternalFragmentation: number, garbageCollection: number): number;
  /** Inputs: requested bytes (f64) and view bits (u8) per buffer, buffer (i32) and alloc flag (u8) per event, marks (i32), divisions (i32 x 16). */
  pBytes: WasmGlobal;
  pViews: WasmGlobal;
  pEventBuffer: WasmGlobal;
  pMarks: WasmGlobal;
  pDivisions: WasmGlobal;
  pEventAlloc: WasmGlobal;
  /**
   * The outputs, contiguous from `pReserved` to `pOutputsEnd`: reserved, allocated, requested and
   * freeInReserved (f64 per event), requestedBytes, address, blockBytes (f64 per buffer), allocAt,
   * freeAt, segmentOf (i32 per buffer).
   */
  pReserved: WasmGlobal;
  pOutputsEnd: WasmGlobal;
  pSegAddress: WasmGlobal;
  pSegBytes: WasmGlobal;
  pSegReservedAt: WasmGlobal;
  pSegReleasedAt: WasmGlobal;
  pSegPool: WasmGlobal;
  segCount: WasmGlobal;
  /** Room for segments (the most `segCount` may reach). */
  segCap: WasmGlobal;
  /** Block-store growths during the last replay (0 when `layout` sized it right). */
  grows: WasmGlobal;
  reservedAtEnd: WasmGlobal;
  allocatedAtEnd: WasmGlobal;
  lastAttempt: WasmGlobal;
  /** The summary of the last replay (replaySummary.ts): each series' peak and its event, and the fullest event of the reserved peak. */
  peakReserved: WasmGlobal;
  peakReservedAt: WasmGlobal;
  peakAllocated: WasmGlobal;
  peakAllocatedAt: WasmGlobal;
  peakRequested: WasmGlobal;
  peakRequestedAt: WasmGlobal;
  fullestAt: WasmGlobal;
  /** The largest free block inside live segments at `fullestAt` (replayFragmentation.ts; 0 where reserved memory is full there), bytes. */
  largestFreeAtFullest: WasmGlobal;
}
