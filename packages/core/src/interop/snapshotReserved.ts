import type { Trace } from "../trace/trace.js";
import { eventCount } from "../trace/lazyTrace.js";
import type { SnapshotMeta } from "./importTorchSnapshot.js";

/**
 * Reserved bytes after every event of a trace imported from a PyTorch snapshot, as PyTorch's own
 * allocator had them: `reservedAtStart` plus the recorded segment_alloc/map minus
 * segment_free/unmap up to each event. Returns null for traces without `meta.torch`.
 */
export function snapshotReserved(trace: Trace): Float64Array | null {
  const torch = trace.meta.torch as SnapshotMeta | undefined;
  if (torch === undefined || !Array.isArray(torch.segmentEvents)) return null;
  const n = eventCount(trace);
  const out = new Float64Array(n);
  let reserved = torch.reservedAtStart;
  let k = 0;
  const seg = torch.segmentEvents;
  for (let i = 0; i < n; i++) {
    while (k < seg.length && seg[k].at <= i) {
      const s = seg[k++];
      reserved += s.action === "segment_alloc" || s.action === "segment_map" ? s.bytes : -s.bytes;
    }
    out[i] = reserved;
  }
  return out;
}
