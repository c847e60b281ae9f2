/**
 * The exports of the allocator replay's WebAssembly module (packages/core/wasm/index.ts): entry
 * points, and as globals the byte offsets in `memory` of every column and the counts.
 */
export interface ReplayWasmExports {
  memory: WebAssembly.Memory;
  /** Lays out the inputs of `buffers` buffers, `events` events and `marks` emptyCache marks. */
  setup(buffers: number, events: number, marks: number): void;
  /** Lays out the outputs and the block store once the inputs are written. */
  layout(): void;
  /** The caching allocator's replay; the OOM event's index or -1. */
  replayCaching(capacity: number, maxSplitSize: number, maxNonSplitRoundingSize: number, divisions: number): number;
  /** The BFC allocator's replay; the OOM event's index or -1. */
  replayBfc(limit: number, firstRegion: number, maxInternalFragmentation: number, garbageCollection: number): number;
  /** 64-byte records, one per buffer (replayLayout.ts: bytes f64 at 0, address 8, blockBytes 16, requestedBytes 24, allocAt i32 at 32, freeAt 36, segmentOf 40, inView u8 at 48). */
  pBuffers: WebAssembly.Global;
  pEventBuffer: WebAssembly.Global;
  pMarks: WebAssembly.Global;
  pDivisions: WebAssembly.Global;
  pEventAlloc: WebAssembly.Global;
  pReserved: WebAssembly.Global;
  pAllocated: WebAssembly.Global;
  pRequested: WebAssembly.Global;
  pSegAddress: WebAssembly.Global;
  pSegBytes: WebAssembly.Global;
  pSegReservedAt: WebAssembly.Global;
  pSegReleasedAt: WebAssembly.Global;
  pSegPool: WebAssembly.Global;
  segCount: WebAssembly.Global;
  /** Block-store growths during the last replay (0 when `layout` sized it right). */
  grows: WebAssembly.Global;
  reservedAtEnd: WebAssembly.Global;
  allocatedAtEnd: WebAssembly.Global;
  lastAttempt: WebAssembly.Global;
}
