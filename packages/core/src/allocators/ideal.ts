import type { Allocator, AllocatorState } from "../allocator.js";

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
  return {
    name: "ideal",
    start(input): AllocatorState {
      const nb = input.bytes.length;
      const bytesOf = new Float64Array(nb);
      const totals = new Float64Array(2);
  const state: AllocatorState = {
        totals,
        lastAttempt: 0,
        address: new Float64Array(nb).fill(-1),
        blockBytes: bytesOf,
        segmentOf: new Int32Array(nb).fill(-1),
        segments: [],
        alloc(buffer, bytes) {
          if (totals[1] + bytes > input.capacity) {
            state.lastAttempt = bytes;
            return false;
          }
          bytesOf[buffer] = bytes;
          totals[1] += bytes;
          totals[0] = totals[1];
          return true;
        },
        free(buffer) {
          totals[1] -= bytesOf[buffer];
          totals[0] = totals[1];
        },
        emptyCache() {},
      };
      return state;
    },
  };
}
