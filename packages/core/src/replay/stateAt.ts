import type { Allocator } from "./allocator.js";
import { checkIndex, liveBlocks } from "./liveBlocks.js";
import { replay, type ReplayOptions } from "./replay.js";
import type { ReplayRun, ReplaySegment } from "./replayRun.js";
import type { Trace } from "../trace/trace.js";

/** One block of a segment at some event: a live buffer's block, or a free gap. */
export interface BlockState {
  address: number;
  /** Block size, bytes (rounded, as the allocator gave it). */
  bytes: number;
  /** `allocated` (a live buffer's block) or `free` (cached, inside the segment). */
  state: "allocated" | "free";
  /** Dense buffer index (position in `trace.buffers`) of an allocated block; -1 for free ones. */
  buffer: number;
  /** Bytes the trace asked for (0 for free blocks). */
  requested: number;
}

/** A reserved segment at some event, with its blocks in address order. */
export interface SegmentState extends ReplaySegment {
  /** Index into `run.segments`. */
  index: number;
  blocks: BlockState[];
}

/** The allocator's memory right after one event. */
export interface AllocatorSnapshot {
  /** Event index (-1: before the first event). */
  index: number;
  reserved: number;
  allocated: number;
  requested: number;
  /** Segments reserved at that moment, in address order. */
  segments: SegmentState[];
}

/**
 * The segments and blocks right after event `index`, from a run (`stateAt(run, index)`) or by
 * replaying (`stateAt(trace, allocator, index, options)`). Nothing is snapshotted during a replay:
 * the state is rebuilt from the run's per-buffer placements (alloc and free events, addresses,
 * segments) in one pass over the buffers. Free blocks are the gaps between live blocks inside a
 * segment: both allocator models merge adjacent free blocks at once, so the gaps are exactly them.
 */
export function stateAt(run: ReplayRun, index: number): AllocatorSnapshot;
export function stateAt(trace: Trace, allocator: Allocator, index: number, options?: ReplayOptions): AllocatorSnapshot;
export function stateAt(a: ReplayRun | Trace, b: number | Allocator, c?: number, options?: ReplayOptions): AllocatorSnapshot {
  if (typeof b === "number") return snapshot(a as ReplayRun, b);
  if (typeof c !== "number") throw new Error("stateAt: expected (run, index) or (trace, allocator, index, options)");
  return snapshot(replay(a as Trace, b, options), c);
}

function snapshot(run: ReplayRun, index: number): AllocatorSnapshot {
  checkIndex(run, index);
  const segments: SegmentState[] = [];
  for (const [k, live] of liveBlocks(run, index)) {
    const seg = run.segments[k];
    const blocks: BlockState[] = [];
    let at = seg.address;
    for (const b of live) {
      if (run.address[b] > at) blocks.push({ address: at, bytes: run.address[b] - at, state: "free", buffer: -1, requested: 0 });
      blocks.push({ address: run.address[b], bytes: run.blockBytes[b], state: "allocated", buffer: b, requested: run.requestedBytes[b] });
      at = run.address[b] + run.blockBytes[b];
    }
    const end = seg.address + seg.bytes;
    if (end > at) blocks.push({ address: at, bytes: end - at, state: "free", buffer: -1, requested: 0 });
    segments.push({ ...seg, index: k, blocks });
  }
  segments.sort((x, y) => x.address - y.address);
  return {
    index,
    reserved: index >= 0 ? run.reserved[index] : 0,
    allocated: index >= 0 ? run.allocated[index] : 0,
    requested: index >= 0 ? run.requested[index] : 0,
    segments,
  };
}
