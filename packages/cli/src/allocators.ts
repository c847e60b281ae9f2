import { bfcAllocator, cachingAllocator, cachingOptionsFromSnapshot, ideal, plannedArena, type Allocator, type CachingAllocatorOptions, type SnapshotMeta, type Trace } from "@hbmscope/core";
import { CliError } from "./cliError.js";

/** What `--expandable-segments` sets for the caching allocator (undefined: the snapshot's own setting, else off). */
export interface AllocatorFlags {
  expandableSegments?: boolean;
}

/**
 * The allocator models `--allocator` names, as values (a plain map of constructors), for every
 * command that replays: the caching one takes a PyTorch snapshot's own `allocator_settings`.
 */
export const ALLOCATORS: Record<string, (trace: Trace, flags?: AllocatorFlags) => Allocator> = {
  ideal: () => ideal(),
  caching: (trace, flags = {}) => {
    let options: CachingAllocatorOptions;
    try {
      options = cachingOptionsFromSnapshot((trace.meta.torch as SnapshotMeta | undefined)?.allocatorSettings).options;
    } catch (e) {
      throw new CliError(`${(e as Error).message}, or replay with --allocator bfc, ideal or planned, which do not read it`);
    }
    return cachingAllocator(flags.expandableSegments === undefined ? options : { ...options, expandableSegments: flags.expandableSegments });
  },
  bfc: () => bfcAllocator(),
  planned: () => plannedArena(),
};
