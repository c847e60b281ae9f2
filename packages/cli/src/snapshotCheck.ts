import { compareWithSnapshot, type ReplayRun, type SnapshotMeta, type Trace } from "@hbmscope/core";

/**
 * For a trace imported from a PyTorch snapshot: what PyTorch's allocator recorded, and, for a
 * caching-allocator replay, how the replay compares (`compareWithSnapshot`). Null for other traces.
 * Sizes in bytes.
 */
export function snapshotCheck(trace: Trace, run: ReplayRun) {
  const torch = trace.meta.torch as SnapshotMeta | undefined;
  if (!torch) return null;
  const cmp = compareWithSnapshot(trace, run);
  return {
    pytorchReservedPeak: cmp.reserved.torchPeak,
    pytorchReservedEnd: cmp.reserved.torchEnd,
    allocatorSettings: torch.allocatorSettings,
    /**
     * Only meaningful for the caching allocator with the snapshot's own settings: other models, or
     * expandable segments switched the other way (a what-if), are meant to differ.
     */
    comparison: run.allocator.name === "caching" && sameExpandable(run, torch) ? cmp : null,
  };
}

function sameExpandable(run: ReplayRun, torch: SnapshotMeta): boolean {
  const replayed = (run.allocator as { expandableSegments?: boolean }).expandableSegments === true;
  return replayed === (torch.allocatorSettings?.expandable_segments === true);
}
