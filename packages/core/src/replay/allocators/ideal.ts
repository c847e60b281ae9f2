import type { Allocator, AllocatorInput, AllocatorState } from "../allocator.js";
import type { ReplaySegment } from "../replayRun.js";
import { PlacementState } from "./placementState.js";

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

class IdealState extends PlacementState implements AllocatorState {

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
