import type { ReplaySegment } from "./replayRun.js";

/**
 * What a replay's loop leaves, whichever engine ran it (the JS allocator states or the WebAssembly
 * module): the series per event, where every buffer went, the segments, and where it stopped.
 * `replay` computes everything else (peaks, freeInReserved, fragmentation, the OOM report) from
 * this, with the same code for both engines. Sizes in bytes.
 */
export interface ReplayPlacement {
  /** The event that ran out of memory (its totals recorded, nothing after it), or -1. */
  stop: number;
  /** Reserved and allocated bytes when the loop ended (at the OOM event, after its retries). */
  reservedAtEnd: number;
  allocatedAtEnd: number;
  /** The device allocation the failed alloc tried (see `AllocatorState.lastAttempt`). */
  lastAttempt: number;
  /** Per event (all `n` of them; those after an OOM event are 0). */
  reserved: Float64Array;
  allocated: Float64Array;
  requested: Float64Array;
  /** Per event, reserved - allocated: filled by `replay`, or by the engine when it gives `summary`. */
  freeInReserved: Float64Array;
  /**
   * What replay.ts's `summarize` returns, when the engine computed it (the WebAssembly module, with
   * the same rules) along with `freeInReserved`: [reserved peak, its event, allocated peak, its
   * event, requested peak, its event, the fullest event of the reserved peak].
   */
  summary?: number[];
  /**
   * The largest free block inside live segments at the summary's fullest event (what
   * `largestFreeAt` gives there; 0 where reserved memory is full), bytes, when the engine computed
   * it along with `summary`.
   */
  largestFree?: number;
  /** Per buffer. */
  requestedBytes: Float64Array;
  allocAt: Int32Array;
  freeAt: Int32Array;
  address: Float64Array;
  blockBytes: Float64Array;
  segmentOf: Int32Array;
  segments: ReplaySegment[];
}
