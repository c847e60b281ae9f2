/**
 * The shape of a PyTorch CUDA memory snapshot, as `torch.cuda.memory._snapshot()` returns it and
 * `_dump_snapshot()` pickles it (torch/cuda/memory.py; torch/csrc/cuda/memory_snapshot.cpp).
 * Only the fields hbmscope reads are typed; others are kept as they are.
 * Integers are numbers, or bigints when a pickle held one wider than 2^53 (e.g. stream handles).
 */

/** One stack frame, innermost first in a list. */
export interface TorchFrame {
  filename: string;
  line: number;
  name: string;
  [extra: string]: unknown;
}

/** What the caching allocator did (c10/cuda/CUDACachingAllocator.h, `TraceEntry::Action`). */
export type TorchAction =
  | "alloc"
  | "free_requested"
  | "free_completed"
  | "segment_alloc"
  | "segment_free"
  | "segment_map"
  | "segment_unmap"
  | "oom"
  | "snapshot";

export interface TorchTraceEntry {
  action: TorchAction | string;
  /** Block or segment address; absent for `oom`. */
  addr?: number | bigint;
  /** Bytes: the requested size for alloc and frees, the segment size for segment actions. */
  size: number;
  stream?: number | bigint;
  /** Microseconds on the allocator's clock. */
  time_us?: number | bigint;
  frames?: TorchFrame[];
  /** Only for `oom`: bytes the device still reported free. */
  device_free?: number;
  [extra: string]: unknown;
}

export interface TorchBlock {
  address?: number | bigint;
  /** Bytes of the block, as the allocator rounded it. */
  size: number;
  requested_size?: number;
  /** `active_allocated`, `active_pending_free` (docs: `active_awaiting_free`) or `inactive`. */
  state: string;
  frames?: TorchFrame[];
  [extra: string]: unknown;
}

export interface TorchSegment {
  device?: number;
  address: number | bigint;
  /** Bytes reserved with cudaMalloc for this segment. */
  total_size: number;
  stream?: number | bigint;
  /** `small` (blocks <= 1 MiB) or `large`. */
  segment_type?: string;
  blocks: TorchBlock[];
  [extra: string]: unknown;
}

export interface TorchSnapshot {
  /** The allocator's segments when the snapshot was taken (its end state). */
  segments: TorchSegment[];
  /** Per device, the recorded history (oldest first). */
  device_traces: TorchTraceEntry[][];
  /** `max_split_size`, `expandable_segments`, `roundup_power2_divisions`, ... */
  allocator_settings?: Record<string, unknown>;
  [extra: string]: unknown;
}
