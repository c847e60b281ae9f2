import type { TorchSegment, TorchSnapshot, TorchTraceEntry } from "@hbmscope/core";

const MiB = 2 ** 20;

/** The allocator settings every synthetic snapshot reports. */
export const syntheticAllocatorSettings = { max_split_size: -1, expandable_segments: false } as const;

/** A synthetic history, entry by entry: what `syntheticSnapshot` collects and a streaming writer walks. */
export interface SyntheticHistory {
  /** The trace entries of device 0, oldest first, each a fresh object. Can be walked once. */
  entries: Generator<TorchTraceEntry, void, undefined>;
  /** The end state's segments (at most 1000): call once `entries` is exhausted. */
  segments(): TorchSegment[];
}

/**
 * The one generator behind `syntheticSnapshot`: yields its trace entries one by one, so that a
 * writer can stream a snapshot of any size without holding it (see `syntheticSnapshot` for what
 * the entries are). Yields `entries` entries, or one more when the last step records a
 * segment_alloc before its alloc.
 */
export function syntheticHistory(entries: number, seed = 7, stackDepth = 2): SyntheticHistory {
  let s = seed >>> 0;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const files = Array.from({ length: 40 }, (_, i) => `/site-packages/model/layer${i}.py`);
  const names = ["forward", "attention", "mlp", "backward", "step", "linear", "softmax", "layer_norm"];
  const deep = Array.from({ length: Math.max(stackDepth, 0) }, (_, i) =>
    i % 3 === 0
      ? { filename: "??", line: 0, name: `at::native::kernel_${i}(at::Tensor const&)` }
      : { filename: `/site-packages/torch/nn/modules/module_${i}.py`, line: 100 + i, name: `_call_impl_${i}` },
  );
  const live: { addr: number; size: number }[] = [];
  let done = false;

  function* walk(): Generator<TorchTraceEntry, void, undefined> {
    let count = 0;
    let next = 0x7f0000000000;
    let t = 1_700_000_000_000_000;
    while (count < entries) {
      t += 3;
      if (live.length === 0 || rand() < 0.5) {
        const size = rand() < 0.8 ? 512 + Math.floor(rand() * 512 * 1024) : (1 + Math.floor(rand() * 64)) * MiB;
        if (rand() < 0.01) {
          count++;
          yield { action: "segment_alloc", addr: next, size: 20 * MiB, stream: 0, time_us: t };
        }
        const f = Math.floor(rand() * files.length);
        const frames = [
          { filename: files[f], line: 10 + (f % 50), name: names[f % names.length] },
          ...deep.slice(0, Math.max(0, stackDepth - 2)),
          { filename: "/work/train.py", line: 120, name: "train_step" },
        ];
        count++;
        yield { action: "alloc", addr: next, size, stream: 0, time_us: t, frames };
        live.push({ addr: next, size });
        next += Math.ceil(size / 512) * 512;
      } else {
        const k = rand() < 0.7 ? live.length - 1 : Math.floor(rand() * live.length);
        const { addr, size } = live[k];
        live[k] = live[live.length - 1];
        live.pop();
        count++;
        yield { action: "free_requested", addr, size, stream: 0, time_us: t, frames: stackDepth > 2 ? deep.slice(0, stackDepth) : [] };
        if (count < entries) {
          count++;
          yield { action: "free_completed", addr, size, stream: 0, time_us: t + 1, frames: [] };
        }
      }
    }
    done = true;
  }

  return {
    entries: walk(),
    segments() {
      if (!done) throw new Error("syntheticHistory: segments() called before the entries were all taken");
      return live.slice(0, 1000).map((b) => ({
        device: 0, address: b.addr, total_size: Math.ceil(b.size / 512) * 512, stream: 0, segment_type: "large",
        blocks: [{ address: b.addr, size: Math.ceil(b.size / 512) * 512, requested_size: b.size, state: "active_allocated", frames: [] }],
      }));
    },
  };
}

/**
 * A deterministic PyTorch-memory-snapshot-like history with `entries` trace entries on device 0:
 * allocations of small and large tensors freed later (free_requested then free_completed), each
 * with a two-frame Python stack (file names repeat, as they do in real snapshots), a segment_alloc
 * now and then, and the end state's segments. Not allocator-exact: for speed and memory figures.
 * `stackDepth` > 2 adds that many frames to allocs and frees (C++ and Python, as
 * `_record_memory_history(stacks="all", context="all")` records them): what makes real snapshots big.
 */
export function syntheticSnapshot(entries: number, seed = 7, stackDepth = 2): TorchSnapshot {
  const history = syntheticHistory(entries, seed, stackDepth);
  const out = [...history.entries];
  return { segments: history.segments(), device_traces: [out], allocator_settings: { ...syntheticAllocatorSettings } };
}
