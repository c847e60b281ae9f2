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
      const state: AllocatorState = {
        reserved: 0,
        allocated: 0,
        lastAttempt: 0,
        address: new Float64Array(nb).fill(-1),
        blockBytes: bytesOf,
        segmentOf: new Int32Array(nb).fill(-1),
        segments: [],
        alloc(buffer, bytes) {
          if (state.allocated + bytes > input.capacity) {
            state.lastAttempt = bytes;
            return false;
          }
          bytesOf[buffer] = bytes;
          state.allocated += bytes;
          state.reserved = state.allocated;
          return true;
        },
        free(buffer) {
          state.allocated -= bytesOf[buffer];
          state.reserved = state.allocated;
        },
        emptyCache() {},
      };
      return state;
    },
  };
}
