import type { ReplayRun } from "../replay/replayRun.js";
import { blocksBySegment } from "../replay/blocksBySegment.js";
import { bufferAt, bufferCount, eventCount, eventTimes } from "../trace/lazyTrace.js";
import type { Trace, TraceBuffer, View } from "../trace/trace.js";
import { traceColumns, VIEW_BIT } from "../trace/traceColumns.js";
import type { TorchBlock, TorchFrame, TorchSegment, TorchSnapshot, TorchTraceEntry } from "./torchSnapshot.js";

export interface ToTorchSnapshotOptions {
  /** Which memory view's buffers to write. @defaultValue `"physical"` */
  view?: View;
  /**
   * An allocator replay of the same trace (e.g. `replay(trace, cachingAllocator())`): its block
   * addresses, rounded block sizes and segments are written. Without one, every buffer is its
   * own segment of exactly its size (no allocator: reserved equals live bytes).
   */
  run?: ReplayRun;
  /** Device index to file the history under. @defaultValue 0 */
  device?: number;
}

/** Where buffers are placed without a replay: an address range like CUDA's (any base works). */
const BASE_ADDRESS = 0x7f0000000000;
/** Alignment of those made-up addresses: the caching allocator's kMinBlockSize (512 B). */
const ALIGN = 512;

/**
 * A trace as a PyTorch memory snapshot (the dictionary `torch.cuda.memory._snapshot()` returns),
 * for pytorch.org/memory_viz: `device_traces` with alloc / free_requested / free_completed and
 * segment_alloc / segment_free entries, and the `segments` still held at the end with their
 * blocks. Each entry carries the buffer's `category` (the viewer colours by it) and a frame made
 * of its scope (file), site line and op (function). Zero-byte buffers are left out (they hold no
 * memory). Write it with `writePickle` for the viewer (it reads pickles) or as JSON.
 */
export function toTorchSnapshot(trace: Trace, options: ToTorchSnapshotOptions = {}): TorchSnapshot {
  const view = options.view ?? "physical";
  const device = options.device ?? 0;
  const run = options.run;
  const { bytes, views, eventBuffer, eventAlloc } = traceColumns(trace);
  const bit = VIEW_BIT[view];
  const nb = bytes.length;
  const count = eventCount(trace);
  const n = run ? Math.min(run.length, count) : count;
  const times = eventTimes(trace);

  // Addresses and block sizes: from the replay, or one made-up segment per buffer.
  const address = new Float64Array(nb).fill(-1);
  const blockBytes = new Float64Array(nb);
  if (run) {
    address.set(run.address.subarray(0, nb));
    blockBytes.set(run.blockBytes.subarray(0, nb));
  } else {
    let next = BASE_ADDRESS;
    for (let b = 0; b < nb; b++) {
      address[b] = next;
      blockBytes[b] = bytes[b];
      next += Math.max(ALIGN, Math.ceil(bytes[b] / ALIGN) * ALIGN);
    }
  }
  const wanted = (b: number) => (views[b] & bit) !== 0 && bytes[b] > 0 && address[b] >= 0;

  const { frames, categories } = framesOf(trace);
  // The viewer stops on snapshots whose entries name categories but none is "unknown"
  // (torch/utils/viz/MemoryViz.js annotate_snapshot), so the history starts with that one.
  const entries: TorchTraceEntry[] = [{ action: "snapshot", addr: 0, size: 0, stream: 0, time_us: 0, frames: [], category: "unknown" }];
  const timeUs = (i: number) => (times !== undefined ? Math.round((times[Math.min(i, count - 1)] ?? 0) * 1000) : i);

  const reservedAt = new Map<number, number[]>();
  const releasedAt = new Map<number, number[]>();
  if (run) {
    run.segments.forEach((s, k) => {
      push(reservedAt, s.reservedAt, k);
      if (s.releasedAt >= 0) push(releasedAt, s.releasedAt, k);
    });
  }
  const segmentEntry = (action: "segment_alloc" | "segment_free", addr: number, size: number, i: number): TorchTraceEntry => ({
    action, addr, size, stream: 0, time_us: timeUs(i), frames: [],
  });

  for (let i = 0; i < n; i++) {
    if (run) {
      for (const k of releasedAt.get(i) ?? []) entries.push(segmentEntry("segment_free", run.segments[k].address, run.segments[k].bytes, i));
      for (const k of reservedAt.get(i) ?? []) entries.push(segmentEntry("segment_alloc", run.segments[k].address, run.segments[k].bytes, i));
    }
    const b = eventBuffer[i];
    if (!wanted(b)) continue;
    const base = { addr: address[b], size: bytes[b], stream: 0, time_us: timeUs(i), frames: frames[b], category: categories[b] };
    if (eventAlloc[i]) {
      if (!run) entries.push(segmentEntry("segment_alloc", address[b], blockBytes[b], i));
      entries.push({ action: "alloc", ...base });
    } else {
      entries.push({ action: "free_requested", ...base }, { action: "free_completed", ...base });
      if (!run) entries.push(segmentEntry("segment_free", address[b], blockBytes[b], i));
    }
  }
  if (run?.oom && run.oom.index < count) {
    entries.push({ action: "oom", size: run.oom.requested, device_free: run.oom.free, stream: 0, time_us: timeUs(run.oom.index), frames: frames[eventBuffer[run.oom.index]] ?? [] });
  }

  // What is still allocated at the end, and the segments holding it.
  const alive = new Uint8Array(nb);
  for (let i = 0; i < n; i++) alive[eventBuffer[i]] = eventAlloc[i];
  const block = (b: number): TorchBlock => ({
    address: address[b], size: blockBytes[b], requested_size: bytes[b], state: "active_allocated", frames: frames[b],
  });
  const segments: TorchSegment[] = [];
  const expandable = (run?.allocator as { expandableSegments?: boolean } | undefined)?.expandableSegments === true;
  const segment = (addr: number, total: number, pool: string, blocks: TorchBlock[]): TorchSegment => {
    const allocated = blocks.reduce((s, x) => s + (x.state === "active_allocated" ? x.size : 0), 0);
    const requested = blocks.reduce((s, x) => s + (x.state === "active_allocated" ? x.requested_size ?? 0 : 0), 0);
    return {
      device, address: addr, total_size: total, allocated_size: allocated, active_size: allocated, requested_size: requested,
      stream: 0, segment_type: pool, segment_pool_id: [0, 0], is_expandable: expandable, frames: [], blocks,
    };
  };
  if (run) {
    const placed: number[] = [];
    for (let b = 0; b < nb; b++) if (alive[b] && wanted(b) && run.segmentOf[b] >= 0) placed.push(b);
    const live: number[] = [];
    run.segments.forEach((s, k) => {
      if (!(s.releasedAt >= 0 && s.releasedAt < n)) live.push(k);
    });
    const bySegment = blocksBySegment(run.segments, live, placed, address);
    run.segments.forEach((s, k) => {
      if (s.releasedAt >= 0 && s.releasedAt < n) return;
      const inside = bySegment.get(k) ?? [];
      const blocks: TorchBlock[] = [];
      let at = s.address;
      for (const b of inside) {
        if (address[b] > at) blocks.push({ address: at, size: address[b] - at, requested_size: 0, state: "inactive", frames: [] });
        blocks.push(block(b));
        at = address[b] + blockBytes[b];
      }
      if (at < s.address + s.bytes) blocks.push({ address: at, size: s.address + s.bytes - at, requested_size: 0, state: "inactive", frames: [] });
      segments.push(segment(s.address, s.bytes, s.pool, blocks));
    });
  } else {
    for (let b = 0; b < nb; b++) if (alive[b] && wanted(b)) segments.push(segment(address[b], blockBytes[b], blockBytes[b] <= 2 ** 20 ? "small" : "large", [block(b)]));
  }

  const device_traces: TorchTraceEntry[][] = Array.from({ length: device + 1 }, () => []);
  device_traces[device] = entries;
  const settings = run ? { ...run.allocator } : ((trace.meta.torch as { allocatorSettings?: Record<string, unknown> } | undefined)?.allocatorSettings ?? {});
  return { segments, device_traces, allocator_settings: settings };
}

function push<K>(m: Map<K, number[]>, k: K, v: number) {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** One frame per buffer, shared by all its entries: the scope as file, the site's line, the op. */
function framesOf(trace: Trace): { frames: TorchFrame[][]; categories: string[] } {
  const n = bufferCount(trace);
  const frames: TorchFrame[][] = new Array(n);
  const categories: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const b = bufferAt(trace, i);
    const site = typeof b.site === "string" ? /^(.*):(\d+)$/.exec(b.site) : null;
    const filename = site ? site[1] : b.scope || b.category;
    const line = site ? Number(site[2]) : 0;
    const name = b.op || b.category;
    frames[i] = [{ filename: b.scope && site ? `${b.scope} (${filename})` : filename, line, name }];
    categories[i] = b.category;
  }
  return { frames, categories };
}
