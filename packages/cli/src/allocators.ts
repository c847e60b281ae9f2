import { ALLOCATOR_MODELS, type Allocator, type AllocatorFlags, type Trace } from "@hbmscope/core";
import { CliError } from "./cliError.js";

export type { AllocatorFlags };

/**
 * The allocator models `--allocator` names: core's one map (shared with the HTML report's page),
 * with a snapshot's unreadable `allocator_settings` turned into a one-line CLI error.
 */
export const ALLOCATORS: Record<string, (trace: Trace, flags?: AllocatorFlags) => Allocator> = {
  ...ALLOCATOR_MODELS,
  caching: (trace, flags) => {
    try {
      return ALLOCATOR_MODELS.caching(trace, flags);
    } catch (e) {
      throw new CliError(`${(e as Error).message}, or replay with --allocator bfc, ideal or planned, which do not read it`);
    }
  },
};
