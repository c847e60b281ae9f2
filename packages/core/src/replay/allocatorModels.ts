import type { Allocator } from "./allocator.js";
import { bfcAllocator } from "./allocators/bfcAllocator.js";
import { cachingAllocator } from "./allocators/cachingAllocator.js";
import { ideal } from "./allocators/ideal.js";
import { plannedArena } from "./allocators/plannedArena.js";
import { cachingOptionsFromSnapshot } from "../interop/cachingOptionsFromSnapshot.js";
import type { SnapshotMeta } from "../interop/importTorchSnapshot.js";
import type { Trace } from "../trace/trace.js";

/** Settings a caller may force on an allocator model (`undefined`: the snapshot's own setting, else off). */
export interface AllocatorFlags {
  /** Caching allocator: PyTorch's `expandable_segments`. */
  expandableSegments?: boolean;
  /** Planned arena: called with the buffers placed so far and in all (see `plannedArena`'s `onProgress`). */
  onProgress?: (placed: number, total: number) => void;
}

/**
 * The allocator models by name (`ideal`, `caching`, `bfc`, `planned`), as values: a plain map of
 * constructors shared by every command that replays and by the HTML report's page, so all of them
 * replay with the same settings. The caching one takes a PyTorch snapshot's own `allocator_settings`
 * (`trace.meta.torch.allocatorSettings`).
 */
export const ALLOCATOR_MODELS: Record<string, (trace: Trace, flags?: AllocatorFlags) => Allocator> = {
  ideal: () => ideal(),
  caching: (trace, flags = {}) => {
    const { options } = cachingOptionsFromSnapshot((trace.meta.torch as SnapshotMeta | undefined)?.allocatorSettings);
    return cachingAllocator(flags.expandableSegments === undefined ? options : { ...options, expandableSegments: flags.expandableSegments });
  },
  bfc: () => bfcAllocator(),
  planned: (_trace, flags = {}) => plannedArena(flags.onProgress ? { onProgress: flags.onProgress } : {}),
};
