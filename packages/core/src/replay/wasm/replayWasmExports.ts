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
  /** Lays out the outputs and the block store once the inputs are written, with `segFactor` x room for segments (1: one per alloc). */
  layout(segFactor: number): void;
  /** The caching allocator's replay; the OOM event's index or -1. */
  replayCaching(capacity: number, maxSplitSize: number, maxNonSplitRoundingSize: number, divisions: number, expandableAddressSpace: number): number;
  /** The BFC allocator's replay; the OOM event's index or -1. */
  replayBfc(limit: number, firstRegion: number, maxInternalFragmentation: number, garbageCollection: number): number;
  /** 64-byte records, one per buffer (replayLayout.ts: bytes f64 at 0, address 8, blockBytes 16, requestedBytes 24, allocAt i32 at 32, freeAt 36, segmentOf 40, inView u8 at 48). */
  pBuffers: WasmGlobal;
  pEventBuffer: WasmGlobal;
  pMarks: WasmGlobal;
  pDivisions: WasmGlobal;
  pEventAlloc: WasmGlobal;
  pReserved: WasmGlobal;
  pAllocated: WasmGlobal;
  pRequested: WasmGlobal;
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
}
