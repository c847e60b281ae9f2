import type { ReplayRun } from "../replay/replayRun.js";
import { bufferAt, bufferCount, eventCount } from "../trace/lazyTrace.js";
import { traceColumns } from "../trace/traceColumns.js";
import type { Trace } from "../trace/trace.js";
import type { SnapshotMeta } from "./importTorchSnapshot.js";
import { snapshotReserved } from "./snapshotReserved.js";

/** How a replay of an imported snapshot compares with what PyTorch's allocator recorded. */
export interface SnapshotComparison {
  /** Segment sizes reserved while recording, in order: PyTorch's `segment_alloc` events and the replay's. */
  segmentSizes: { torch: number[]; replay: number[] };
  /** Reserved bytes, PyTorch (from `segments` and segment events) against the replay. */
  reserved: { torchPeak: number; replayPeak: number; torchEnd: number; replayEnd: number; torchAtStart: number; replayAtStart: number };
  /** Blocks alive in the `segments` dump whose size the replay reproduced, and those it did not. */
  blocks: { checked: number; mismatched: number };
  /** First event (from the start of recording) where reserved bytes differ, or -1. */
  firstReservedMismatch: number;
  /** Each difference in words; empty when the replay reproduces the snapshot. */
  findings: string[];
}

/**
 * Checks a replay of a trace imported with `importTorchSnapshot` against PyTorch's own record:
 * the sizes of the segments reserved during recording (not for a replay with expandable segments,
 * whose contiguous mapped ranges are recorded, where PyTorch records each map: the reserved bytes
 * check those), reserved bytes after every recorded event
 * (from the start of recording; before it, only the total can be known), and the block size of
 * every block alive in the snapshot's `segments`. Sizes in bytes.
 */
export function compareWithSnapshot(trace: Trace, run: ReplayRun): SnapshotComparison {
  const torch = trace.meta.torch as SnapshotMeta | undefined;
  const torchReserved = snapshotReserved(trace);
  if (!torch || !torchReserved) throw new Error("compareWithSnapshot: the trace was not imported from a PyTorch snapshot (no meta.torch)");
  const start = torch.ghosts;
  const n = Math.min(run.length, eventCount(trace));
  const findings: string[] = [];

  const torchSizes = torch.segmentEvents.filter((s) => s.action === "segment_alloc" || s.action === "segment_map").map((s) => s.bytes);
  const replaySizes = run.segments.filter((s) => s.reservedAt >= start).map((s) => s.bytes);
  // With expandable segments the replay records each contiguous mapped range, PyTorch each map:
  // the reserved bytes after every event (below) are the check then.
  const expandable = (run.allocator as { expandableSegments?: boolean }).expandableSegments === true;
  const k = expandable ? 0 : Math.max(torchSizes.length, replaySizes.length);
  for (let i = 0; i < k; i++) {
    if (torchSizes[i] !== replaySizes[i]) {
      findings.push(`segment ${i} reserved while recording: PyTorch ${torchSizes[i] ?? "none"} bytes, replay ${replaySizes[i] ?? "none"} bytes`);
    }
  }

  const replayAtStart = start > 0 ? run.reserved[start - 1] : 0;
  if (replayAtStart !== torch.reservedAtStart) {
    findings.push(`reserved when recording starts: PyTorch ${torch.reservedAtStart} bytes, replay ${replayAtStart} bytes (the layout of blocks allocated before recording is not recorded)`);
  }
  let firstReservedMismatch = -1;
  let torchPeak = torch.reservedAtStart;
  let replayPeak = replayAtStart;
  for (let i = start; i < n; i++) {
    torchPeak = Math.max(torchPeak, torchReserved[i]);
    replayPeak = Math.max(replayPeak, run.reserved[i]);
    if (firstReservedMismatch < 0 && torchReserved[i] !== run.reserved[i]) {
      firstReservedMismatch = i;
      findings.push(`reserved after event ${i}: PyTorch ${torchReserved[i]} bytes, replay ${run.reserved[i]} bytes`);
    }
  }

  // Block sizes: every block alive at the end of the snapshot, matched by the buffer at its address.
  const atAddress = new Map<string, number>();
  const { eventBuffer, eventAlloc } = traceColumns(trace);
  const alive = new Uint8Array(bufferCount(trace));
  for (let i = 0; i < n; i++) alive[eventBuffer[i]] = eventAlloc[i];
  for (let i = 0; i < alive.length; i++) {
    if (!alive[i]) continue;
    const b = bufferAt(trace, i);
    if (b.address !== undefined) atAddress.set(String(b.address), i);
  }
  let checked = 0;
  let mismatched = 0;
  for (const seg of torch.segments) {
    for (const b of seg.blocks) {
      if (b.state === "inactive") continue;
      const i = atAddress.get(String(b.address));
      if (i === undefined) continue;
      checked++;
      if (run.blockBytes[i] !== b.bytes) {
        mismatched++;
        if (mismatched <= 10) findings.push(`block at ${b.address} (buffer ${i}, ${bufferAt(trace, i).bytes} bytes requested): PyTorch ${b.bytes} bytes, replay ${run.blockBytes[i]} bytes`);
      }
    }
  }
  const torchEnd = n > 0 ? torchReserved[n - 1] : torch.reservedAtStart;
  const replayEnd = n > 0 ? run.reserved[n - 1] : 0;
  return {
    segmentSizes: { torch: torchSizes, replay: replaySizes },
    reserved: { torchPeak, replayPeak, torchEnd, replayEnd, torchAtStart: torch.reservedAtStart, replayAtStart },
    blocks: { checked, mismatched },
    firstReservedMismatch,
    findings,
  };
}
