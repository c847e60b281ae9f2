import type { AllocatorInput } from "../allocator.js";
import type { ReplaySegment } from "../replayRun.js";

/**
 * What every allocator's per-replay state records, whatever its rules: the running totals, the
 * size of the last failed attempt, and per buffer its block's address, size and segment.
 */
export abstract class PlacementState {
  /** `[reserved, allocated]` now (see `AllocatorState.totals`). */
  readonly totals = new Float64Array(2);
  lastAttempt = 0;
  readonly address: Float64Array;
  readonly blockBytes: Float64Array;
  readonly segmentOf: Int32Array;
  readonly segments: ReplaySegment[] = [];
  /** Requested bytes per buffer (the trace's). */
  protected readonly bytes: Float64Array;
  /** Device capacity, bytes (Infinity when none was given). */
  protected readonly capacity: number;

  constructor(input: AllocatorInput) {
    const nb = input.bytes.length;
    this.bytes = input.bytes;
    this.capacity = input.capacity;
    this.address = new Float64Array(nb).fill(-1);
    this.blockBytes = new Float64Array(nb);
    this.segmentOf = new Int32Array(nb).fill(-1);
  }
}
