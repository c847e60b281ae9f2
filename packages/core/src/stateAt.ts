import type { Allocator } from "./allocator.js";
import { blocksBySegment } from "./blocksBySegment.js";
import { replay, type ReplayOptions } from "./replay.js";
import type { ReplayRun, ReplaySegment } from "./replayRun.js";
import type { Trace } from "./trace.js";

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

function checkIndex(run: ReplayRun, index: number) {
  if (!Number.isInteger(index) || index < -1 || index >= run.length) {
    throw new Error(`stateAt: index must be an event index in -1..${run.length - 1} of this run, got ${index}`);
  }
}

function liveSegments(run: ReplayRun, index: number): number[] {
  const out: number[] = [];
  run.segments.forEach((s, k) => {
    if (s.reservedAt <= index && (s.releasedAt < 0 || s.releasedAt > index)) out.push(k);
  });
  return out;
}

/** Live placed buffers per live segment, sorted by address. */
function liveBlocks(run: ReplayRun, index: number): Map<number, number[]> {
  const { allocAt, freeAt, address, segmentOf } = run;
  const placed: number[] = [];
  for (let b = 0; b < allocAt.length; b++) {
    const at = allocAt[b];
    if (at < 0 || at > index || (freeAt[b] >= 0 && freeAt[b] <= index) || segmentOf[b] < 0) continue;
    placed.push(b);
  }
  return blocksBySegment(run.segments, liveSegments(run, index), placed, address);
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

/** Largest free block inside reserved segments right after event `index`. */
export function largestFreeAt(run: ReplayRun, index: number): number {
  checkIndex(run, index);
  let largest = 0;
  for (const [k, live] of liveBlocks(run, index)) {
    const seg = run.segments[k];
    let at = seg.address;
    for (const b of live) {
      largest = Math.max(largest, run.address[b] - at);
      at = run.address[b] + run.blockBytes[b];
    }
    largest = Math.max(largest, seg.address + seg.bytes - at);
  }
  return largest;
}
