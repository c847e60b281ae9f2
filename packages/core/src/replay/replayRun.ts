import type { View } from "../trace/trace.js";

/**
 * The result of replaying a trace through an allocator model (`replay(trace, allocator)`).
 * Plain data: typed arrays indexed by event, and small objects. Sizes in bytes.
 */
export interface ReplayRun {
  /** The allocator's name and the options it ran with (`{ name: "caching", ... }`). */
  allocator: { name: string; [option: string]: unknown };
  view: View;
  /** Device capacity the replay ran with, bytes; null when unlimited. */
  capacity: number | null;
  /** Number of events replayed (up to and including an OOM event, if any). */
  length: number;
  /** Bytes held from the device (segments/regions) after each event. */
  reserved: Float64Array;
  /** Bytes of live blocks, as the allocator rounded them, after each event. */
  allocated: Float64Array;
  /** Bytes the trace asked for (unrounded) after each event: the timeline's total. */
  requested: Float64Array;
  peaks: {
    reserved: { bytes: number; index: number };
    allocated: { bytes: number; index: number };
    requested: { bytes: number; index: number };
  };
  /** Fragmentation after each event: (reserved - allocated) bytes, free inside segments. */
  freeInReserved: Float64Array;
  /**
   * Fragmentation facts at the reserved peak: of the events where reserved bytes are at their peak,
   * the one with the most allocated bytes (reserved memory at its fullest).
   */
  fragmentationAtPeak: Fragmentation;
  /** Per buffer (dense index, as in `traceColumns`): address of its block, or -1 if never placed. */
  address: Float64Array;
  /** Per buffer: the rounded block size the allocator gave it. */
  blockBytes: Float64Array;
  /** Per buffer: index into `segments` of the segment holding its block, or -1. */
  segmentOf: Int32Array;
  /** Per buffer: event index of its alloc in this replay, or -1 (not in the view, or not reached). */
  allocAt: Int32Array;
  /** Per buffer: event index of its free in this replay, or -1 (still live at the end, or never placed). */
  freeAt: Int32Array;
  /** Per buffer: the bytes the trace asked for (unrounded). */
  requestedBytes: Float64Array;
  /** Every segment (region) the allocator ever reserved. */
  segments: ReplaySegment[];
  /** The first allocation that did not fit in `capacity`, or null. */
  oom: OomReport | null;
}

export interface ReplaySegment {
  /** Device address of the segment's first byte (segments never overlap while both are reserved). */
  address: number;
  bytes: number;
  /** `small` or `large` pool (caching allocator), `region` (BFC), `arena` (planned). */
  pool: string;
  /** Event index at which it was reserved. */
  reservedAt: number;
  /** Event index at which it was released (empty cache, OOM retry), or -1 if held to the end. */
  releasedAt: number;
}

export interface Fragmentation {
  /** Event index these figures are taken at. */
  index: number;
  reserved: number;
  allocated: number;
  requested: number;
  /** Rounding loss: allocated - requested. */
  internal: number;
  /** Free bytes inside reserved segments: reserved - allocated. */
  external: number;
  /** Largest contiguous free block inside a segment. */
  largestFree: number;
  /** TensorFlow's measure: (available - largest free) / available, available = reserved - allocated; 0 when nothing is free. */
  ratio: number;
}

/** What PyTorch prints when an allocation fails ("CUDA out of memory. Tried to allocate ..."). */
export interface OomReport {
  /** Event index of the failing alloc. */
  index: number;
  /** Buffer id that could not be placed. */
  buffer: number;
  /** Bytes requested (before rounding). */
  requested: number;
  /** Device capacity the replay ran with. */
  capacity: number;
  /** Capacity minus reserved, after the OOM retry released what it could. */
  free: number;
  /** Bytes allocated (live blocks) at the failure. */
  allocated: number;
  /** Reserved by the allocator but unallocated. */
  reservedUnallocated: number;
  /** The device allocation that failed (PyTorch prints this: the new segment's size). */
  attempted: number;
  /** A PyTorch-style message with the facts above. */
  message: string;
}
