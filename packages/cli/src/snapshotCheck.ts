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
    /** Only meaningful for the caching allocator: the other models are meant to differ. */
    comparison: run.allocator.name === "caching" ? cmp : null,
  };
}
