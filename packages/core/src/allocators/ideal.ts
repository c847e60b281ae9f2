import type { Allocator, AllocatorInput, AllocatorState } from "../allocator.js";
import type { ReplaySegment } from "../replayRun.js";

/** The ideal allocator's value. */
export interface IdealAllocator extends Allocator {
  readonly name: "ideal";
}

/**
 * The lower bound: no rounding, no segments, no fragmentation. Reserved = allocated = requested =
 * live bytes, so its reserved peak is the timeline's peak. It places no blocks (addresses stay -1):
 * only an allocator that could move live buffers would reach it.
 */
export function ideal(): IdealAllocator {
  return { name: "ideal", start: (input) => new IdealState(input) };
}

class IdealState implements AllocatorState {
  readonly totals = new Float64Array(2);
  lastAttempt = 0;
  readonly address: Float64Array;
  readonly blockBytes: Float64Array;
  readonly segmentOf: Int32Array;
  readonly segments: ReplaySegment[] = [];
  private readonly capacity: number;
  private readonly bytes: Float64Array;

  constructor(input: AllocatorInput) {
    const nb = input.bytes.length;
    this.bytes = input.bytes;
    this.capacity = input.capacity;
    this.address = new Float64Array(nb).fill(-1);
    this.blockBytes = new Float64Array(nb);
    this.segmentOf = new Int32Array(nb).fill(-1);
  }

  alloc(buffer: number): boolean {
    const bytes = this.bytes[buffer];
    const totals = this.totals;
    if (totals[1] + bytes > this.capacity) {
      this.lastAttempt = bytes;
      return false;
    }
    this.blockBytes[buffer] = bytes;
    totals[1] += bytes;
    totals[0] = totals[1];
    return true;
  }

  free(buffer: number): void {
    const totals = this.totals;
    totals[1] -= this.blockBytes[buffer];
    totals[0] = totals[1];
  }

  emptyCache(): void {}
}
