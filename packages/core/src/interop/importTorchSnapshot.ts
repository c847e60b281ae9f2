import { lazyTrace, type TraceRows } from "../trace/lazyTrace.js";
import { CATEGORIES, type Category, type Trace, type TraceBuffer, type TraceEvent, type TraceMark, type TraceMeta } from "../trace/trace.js";
import { categoryIndex, type TraceColumns } from "../trace/traceColumns.js";
import { AddressIndex } from "./addressIndex.js";
import type { ByteSource } from "./byteSource.js";
import { asTorchSnapshot, isPickle, readTorchSnapshot } from "./readTorchSnapshot.js";
import { SnapshotEntries } from "./snapshotEntries.js";
import { Grow } from "../trace/growArray.js";
import { SnapshotError } from "./snapshotError.js";
import { FrameSummaries, type FrameSummary } from "./frameSummaries.js";
import type { TorchBlock, TorchFrame, TorchSegment, TorchSnapshot, TorchTraceEntry } from "./torchSnapshot.js";

export interface ImportTorchSnapshotOptions {
  /** Which device's history to import. @defaultValue the device with the most trace entries (then the lowest) */
  device?: number;
  /**
   * The category of a buffer, from the entry (or, for a block alive before recording, the
   * segment's block) that created it. @defaultValue the entry's `category` field when PyTorch's
   * memory profiler set one (`parameter` -> weight, `optimizer_state` -> optimizer, ...), else `other`
   */
  category?: (entry: TorchTraceEntry | TorchBlock) => Category;
  /** How many Python frames (outermost dropped first) make up a buffer's `scope`. @defaultValue 8 */
  scopeDepth?: number;
  /**
   * Refuse an inconsistent snapshot (a `SnapshotError` with the first warning) instead of importing
   * it with `meta.torch.warnings`. @defaultValue false
   */
  strict?: boolean;
}

/** A segment as kept in `meta.torch.segments`: the allocator's own end state, for checking replays. */
export interface SnapshotSegment {
  /** Address (a decimal string if beyond 2^53). */
  address: number | string;
  /** Bytes reserved for the segment. */
  bytes: number;
  pool: string;
  stream: number | string;
  blocks: { address: number | string; bytes: number; requested: number; state: string }[];
}

/** A segment action of the recording, at the event index it stands before (like a mark). */
export interface SnapshotSegmentEvent {
  at: number;
  action: "segment_alloc" | "segment_free" | "segment_map" | "segment_unmap";
  address: number | string;
  /** Bytes of the segment (or of the mapped range). */
  bytes: number;
}

/** What `importTorchSnapshot` keeps in `trace.meta.torch`. */
export interface SnapshotMeta {
  device: number;
  /** `allocator_settings` of the snapshot (plain data, as recorded). */
  allocatorSettings: Record<string, unknown>;
  /** The snapshot's `segments` of this device: the allocator's state when it was taken. */
  segments: SnapshotSegment[];
  segmentEvents: SnapshotSegmentEvent[];
  /** Reserved bytes before the first recorded event, implied by `segments` and the segment events. */
  reservedAtStart: number;
  ooms: { at: number; bytes: number; deviceFree: number }[];
  /** Buffers alive before recording started (from frees without an alloc, or from `segments`). */
  ghosts: number;
  /** Entries of each action on this device. */
  actions: Record<string, number>;
  /** Which action frees a buffer: `free_completed`, or `free_requested` when no completion was recorded. */
  freeOn: "free_completed" | "free_requested";
  /** Things that did not add up (each says what and where). */
  warnings: string[];
}

/** `category` values of PyTorch's memory profiler (torch/profiler/_memory_profiler.py `Category`). */
const PROFILER_CATEGORY: Record<string, Category> = {
  parameter: "weight",
  optimizer_state: "optimizer",
  gradient: "gradient",
  activation: "activation",
  temporary: "temporary",
  input: "input",
  autograd_detail: "temporary",
};

function defaultCategory(entry: TorchTraceEntry | TorchBlock): Category {
  const c = entry.category;
  return typeof c === "string" ? PROFILER_CATEGORY[c.toLowerCase()] ?? "other" : "other";
}

/**
 * Turns a PyTorch memory snapshot (pickle or JSON bytes, text, a `ByteSource` giving a file in
 * chunks, or an already read `TorchSnapshot`) into a Trace of one device. Every `alloc` becomes a
 * buffer of its requested size; it is freed at its `free_completed` (or `free_requested` when
 * completions were not recorded). Blocks alive before recording started become buffers allocated
 * before the first recorded event, in address order: those freed during the recording (a free
 * without an alloc), and those still allocated in `segments` without a recorded alloc. Frames
 * become the buffer's `scope` (Python frames, outermost first, `/`-joined), `op` (innermost
 * Python function) and `site` (`file:line`). Marks: `oom` and `snapshot` (kind `note`),
 * `emptyCache` where segments went back to the device (so a replay releases its cache there too),
 * and `recording` after the buffers alive before it. The `segments` dump, segment events, OOMs and
 * `allocator_settings` are kept in `meta.torch` (a `SnapshotMeta`) to check a replay against.
 *
 * Memory: a pickle's trace entries are kept as columns while it is read (about 47 bytes an entry,
 * stack frames summarised as they come), and the result is a `lazyTrace` whose buffers and events
 * stay columns (about 13 bytes an event, 30 a buffer) until something reads the arrays. Given a
 * `ByteSource`, the file itself is never held whole: a 1 GB snapshot imports in well under 1 GB.
 * A JSON snapshot is parsed whole (`JSON.parse`).
 *
 * Sizes in bytes; times in milliseconds from the first recorded entry.
 */
export function importTorchSnapshot(data: Uint8Array | string | ByteSource | TorchSnapshot, options: ImportTorchSnapshotOptions = {}): Trace {
  const scopeDepth = options.scopeDepth ?? 8;
  // Summaries of stacks (scope, op, site), each distinct one once; entries refer to them by index.
  const raw = typeof data === "string" || data instanceof Uint8Array || typeof data === "function";
  // Only a pickle can hand one list object to many entries (its memo); JSON makes each afresh.
  const summaries = new FrameSummaries(scopeDepth, !raw || isPickle(data));
  // A category callback may read any field of an entry: then entries with fields beyond those
  // the importer reads stay dicts.
  const rows = new SnapshotEntries(options.category === undefined);
  const snap = raw ? readTorchSnapshot(data, { dict: shrinker(summaries, rows) }) : asTorchSnapshot(data);
  const category = options.category ?? defaultCategory;
  const device = options.device ?? busiestDevice(snap);
  if (!Number.isSafeInteger(device) || device < 0) throw new SnapshotError(`importTorchSnapshot: device must be a non-negative integer, got ${String(device)}`);
  if (options.device !== undefined && snap.device_traces[device] === undefined && !snap.segments.some((s) => s !== null && typeof s === "object" && (s.device ?? 0) === device)) {
    const present = snapshotDevices(snap);
    throw new SnapshotError(`importTorchSnapshot: device ${device} is not in this snapshot; it has ${present.length === 0 ? "no device" : `device${present.length > 1 ? "s" : ""} ${present.join(", ")}`}`, -1, "device");
  }
  const list: (TorchTraceEntry | number)[] = snap.device_traces[device] ?? [];
  if (!Array.isArray(list)) throw new SnapshotError(`importTorchSnapshot: device_traces[${device}] is not a list`);
  const where = (i: number) => `device_traces[${device}][${i}]`;
  const segmentIndexes: number[] = [];
  snap.segments.forEach((s, i) => {
    if (s === null || typeof s !== "object") throw new SnapshotError(`importTorchSnapshot: segments[${i}] is not a dict`);
    if ((s.device ?? 0) === device) segmentIndexes.push(i);
  });

  // First pass: each entry's action, and whether every entry has a time. Entries the reader kept
  // as rows are row numbers, in reading order (so increasing along a list).
  const actions: Record<string, number> = {};
  let timed = true;
  let lastRow = -1;
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    let action: string;
    if (typeof e === "number") {
      if (!Number.isInteger(e) || e <= lastRow || e >= rows.count) throw new SnapshotError(`importTorchSnapshot: ${where(i)} is not a dict`);
      lastRow = e;
      action = rows.action(e);
      if (!rows.timed(e)) timed = false;
    } else {
      if (e === null || typeof e !== "object" || typeof e.action !== "string") throw new SnapshotError(`importTorchSnapshot: ${where(i)} has no action`);
      action = e.action;
      if (e.time_us === undefined) timed = false;
    }
    actions[action] = (actions[action] ?? 0) + 1;
  }
  const freeOn = actions.free_completed || !actions.free_requested ? "free_completed" : "free_requested";
  const entryAt = (i: number): TorchTraceEntry => {
    const e = list[i];
    if (typeof e !== "number") return e;
    // Rows come in order along the list: those behind are done with.
    rows.releaseBefore(e);
    const entry = rows.entry(e) as TorchTraceEntry;
    const k = rows.info(e);
    if (k >= 0) entry[FRAME_INFO] = k;
    return entry;
  };

  const buffers = new BufferColumns((actions.alloc ?? 0) + 1024);
  const events = new EventColumns((actions.alloc ?? 0) + (actions[freeOn] ?? 0) + 16, timed);
  const ghostAddress = new Grow(Float64Array, 1024);
  const ghostBuffer = new Grow(Int32Array, 1024);
  const marks: TraceMark[] = [];
  const segmentEvents: SnapshotSegmentEvent[] = [];
  const ooms: SnapshotMeta["ooms"] = [];
  const warnings: string[] = [];
  let unsaid = 0;
  // At most 100 warnings are kept: a broken file must not fill memory with them, nor time with
  // writing ones nobody reads (a warning may come as a function that writes it when kept).
  const warn = (w: string | (() => string)) => {
    if (options.strict) throw new SnapshotError(`importTorchSnapshot: ${typeof w === "string" ? w : w()} (strict: an inconsistent snapshot is refused)`);
    if (warnings.length < 100) warnings.push(typeof w === "string" ? w : w());
    else unsaid++;
  };
  // Where each recorded alloc came from (its entry), and every segment's address range, to check
  // afterwards that each alloc lies in a segment.
  const allocEntry = new Grow(Int32Array, 1024);
  const segmentRanges: [number, number, string][] = [];
  const live = new Map<number | bigint, number>();
  // The same live blocks by address, to find a new block's neighbours: two live blocks must not
  // overlap. Blocks at addresses beyond 2^53 (never seen from CUDA) are left out.
  const byAddress = new AddressIndex(buffers.address);
  const overlapCheck = (id: number, addr: number, size: number, i: number) => {
    byAddress.insert(id);
    const { insertedBefore: before, insertedAfter: after } = byAddress;
    const at = buffers.address.items;
    const bytes = buffers.bytes.items;
    const other = before >= 0 && at[before] + bytes[before] > addr ? before : after >= 0 && at[after] < addr + size ? after : -1;
    if (other >= 0) {
      warn(() => `${where(i)}: alloc at ${hexAddress(addr)} of ${size} bytes overlaps buffer ${other} at ${hexAddress(at[other])} (${bytes[other]} bytes), which is live`);
    }
  };

  const describe = (source: TorchTraceEntry | TorchBlock): number => {
    const known = source[FRAME_INFO];
    if (typeof known === "number") return known;
    return summaries.of(source.frames);
  };
  const newBuffer = (bytes: number, address: number | bigint, source: TorchTraceEntry | TorchBlock, stream: unknown, ghost: boolean): number => {
    const c = category(source);
    const code = categoryIndex.get(c);
    if (code === undefined) throw new SnapshotError(`importTorchSnapshot: options.category returned ${show(c)}; expected one of ${CATEGORIES.join(", ")}`);
    return buffers.push(bytes, code, address, describe(source), stream as number | bigint | undefined, ghost);
  };

  // Entries other than allocs and frees (segments, OOMs, markers): rare, so kept out of the main
  // loop, which V8 then compiles sooner (and does not have to throw away when one first comes).
  const otherEntry = (e: TorchTraceEntry, i: number, at: number) => {
    switch (e.action) {
      case "segment_alloc":
      case "segment_free":
      case "segment_map":
      case "segment_unmap": {
        const addr = address(e.addr, where, i);
        const bytes = bytesOf(e.size, where, i, ".size");
        segmentEvents.push({ at, action: e.action, address: plain(addr), bytes });
        if (typeof addr === "number") segmentRanges.push([addr, addr + bytes, where(i)]);
        if ((e.action === "segment_free" || e.action === "segment_unmap") && typeof addr === "number") {
          // A segment given back while a block in it is live: the history lost a free. The live
          // block starting at or after the segment's address, or the one before it reaching in.
          const from = byAddress.firstFrom(addr);
          const before = from >= 0 ? byAddress.before(from) : byAddress.last();
          const at = buffers.address.items;
          const inside = from >= 0 && at[from] < addr + bytes ? from : before >= 0 && at[before] + buffers.bytes.items[before] > addr ? before : -1;
          if (inside >= 0) warn(() => `${where(i)}: ${e.action} of ${hexAddress(addr)} (${bytes} bytes) while buffer ${inside} at ${hexAddress(at[inside])} in it is live`);
        }
        if (e.action === "segment_free" || e.action === "segment_unmap") {
          const last = marks[marks.length - 1];
          if (!(last && last.at === at && last.label === "emptyCache")) marks.push({ at, label: "emptyCache" });
        }
        break;
      }
      case "oom":
        ooms.push({ at, bytes: bytesOf(e.size, where, i, ".size"), deviceFree: Number(e.device_free ?? 0) });
        marks.push({ at, label: "oom", kind: "note" });
        break;
      case "snapshot":
        marks.push({ at, label: "snapshot", kind: "note" });
        break;
      case "user_defined":
        break; // annotations (torch.cuda.memory._record_memory_history's user markers) carry no memory
      default:
        warn(`${where(i)}: unknown action ${show(e.action)}; skipped (it carries no memory hbmscope knows of)`);
        break;
    }
  };

  let t0: number | undefined;
  let lastTime = 0;
  for (let i = 0; i < list.length; i++) {
    const e = entryAt(i);
    let time = NaN;
    if (timed) {
      const t = Number(e.time_us);
      if (!Number.isFinite(t)) throw new SnapshotError(`importTorchSnapshot: ${where(i)}.time_us is not a number`);
      t0 ??= t;
      // The allocator's clock is approximate (c10/util/ApproximateClock.h): never let it run back.
      // A step back of more than a millisecond is more than its error: the entries are out of order.
      if ((t - t0) / 1000 < lastTime - 1) warn(`${where(i)}: time_us ${t} is ${Math.round(lastTime * 1000 - (t - t0))} us before an earlier entry's; kept at the earlier time`);
      lastTime = Math.max(lastTime, (t - t0) / 1000);
      time = lastTime;
    }
    const at = events.count;
    switch (e.action) {
      case "alloc": {
        const addr = address(e.addr, where, i);
        const size = bytesOf(e.size, where, i, ".size");
        const old = live.get(addr);
        if (old !== undefined) {
          warn(`${where(i)}: alloc at ${hexAddress(addr)}, which holds buffer ${old} with no free recorded; freed it there`);
          events.push(old, 0, time);
          byAddress.remove(old);
        }
        const id = newBuffer(size, addr, e, e.stream, false);
        while (allocEntry.count < id) allocEntry.push(-1);
        allocEntry.push(i);
        live.set(addr, id);
        if (typeof addr === "number" && size > 0) overlapCheck(id, addr, size, i);
        events.push(id, 1, time);
        break;
      }
      case "free_requested":
      case "free_completed": {
        const addr = address(e.addr, where, i);
        let id = live.get(addr);
        if (id === undefined) {
          // Freed but never allocated while recording: it was alive before recording started.
          id = newBuffer(bytesOf(e.size, where, i, ".size"), addr, e, e.stream, true);
          ghostAddress.push(Number(addr));
          ghostBuffer.push(id);
          live.set(addr, id);
          if (typeof addr === "number" && buffers.bytes.items[id] > 0) byAddress.insert(id);
        }
        if (e.action === freeOn) {
          live.delete(addr);
          byAddress.remove(id);
          events.push(id, 0, time);
        }
        break;
      }
      default:
        otherEntry(e, i, at);
        break;
    }
  }

  rows.releaseBefore(Infinity);
  // Blocks still allocated in the snapshot's segments without a recorded alloc: alive throughout.
  const kept: SnapshotSegment[] = [];
  let reservedAtEnd = 0;
  const blockLists = new Map<unknown, number>();
  for (const s of segmentIndexes) {
    const seg: TorchSegment = snap.segments[s];
    const path = `segments[${s}]`;
    const segAddress = address(seg.address, path);
    const total = bytesOf(seg.total_size, `${path}.total_size`);
    reservedAtEnd += total;
    if (!Array.isArray(seg.blocks)) throw new SnapshotError(`importTorchSnapshot: ${path}.blocks is not a list`);
    // A pickle can point every segment at one memoised list: reading it again per segment would
    // take time and memory segments x blocks. PyTorch never shares a segment's blocks.
    const first = blockLists.get(seg.blocks);
    if (first !== undefined && first !== s) throw new SnapshotError(`importTorchSnapshot: ${path}.blocks is the same list as segments[${first}].blocks; a snapshot gives each segment its own blocks`);
    blockLists.set(seg.blocks, s);
    const blocks: SnapshotSegment["blocks"] = [];
    let next: number | bigint = segAddress;
    for (let k = 0; k < seg.blocks.length; k++) {
      const b = seg.blocks[k];
      const bpath = `${path}.blocks[${k}]`;
      if (b === null || typeof b !== "object") throw new SnapshotError(`importTorchSnapshot: ${bpath} is not a dict`);
      const size = bytesOf(b.size, `${bpath}.size`);
      // Older snapshots give no block addresses: blocks tile their segment in order.
      const addr = b.address === undefined ? next : address(b.address, bpath);
      next = typeof addr === "bigint" ? addr + BigInt(size) : addr + size;
      const requested = b.requested_size === undefined ? size : bytesOf(b.requested_size, `${bpath}.requested_size`);
      blocks.push({ address: plain(addr), bytes: size, requested, state: String(b.state) });
      if (b.state === "active_allocated" || b.state === "active_pending_free" || b.state === "active_awaiting_free") {
        const id = live.get(addr);
        if (id === undefined) {
          ghostAddress.push(Number(addr));
          ghostBuffer.push(newBuffer(requested, addr, b, seg.stream, true));
        } else if (buffers.bytes.items[id] !== requested) {
          warn(`${bpath}: block at ${hexAddress(addr)} has requested_size ${requested}, but the recorded alloc asked for ${buffers.bytes.items[id]}`);
        }
      }
    }
    if (typeof segAddress === "number") segmentRanges.push([segAddress, segAddress + total, path]);
    kept.push({ address: plain(segAddress), bytes: total, pool: String(seg.segment_type ?? (total <= 2 * 2 ** 20 ? "small" : "large")), stream: plain(seg.stream ?? 0), blocks });
  }

  let reservedAtStart = reservedAtEnd;
  for (const s of segmentEvents) reservedAtStart += s.action === "segment_alloc" || s.action === "segment_map" ? -s.bytes : s.bytes;
  if (reservedAtStart < 0) {
    warn(`segments add up to ${reservedAtEnd} bytes, fewer than the recording's segment_alloc events reserved net (${reservedAtEnd - reservedAtStart}); the dump and the history disagree`);
    reservedAtStart = 0;
  }

  checkSegments(segmentRanges, kept.length, buffers, allocEntry, where, warn);
  if (unsaid > 0) warnings.push(`... and ${unsaid} more warnings`);

  // Ghost allocations go first, in address order (how a fresh allocator hands out split blocks).
  const shift = ghostBuffer.count;
  const order = Uint32Array.from({ length: shift }, (_, i) => i);
  const ga = ghostAddress.items;
  order.sort((a, b) => ga[a] - ga[b] || a - b);
  const head = new Int32Array(shift);
  for (let i = 0; i < shift; i++) head[i] = ghostBuffer.items[order[i]];
  for (const m of marks) m.at += shift;
  for (const s of segmentEvents) s.at += shift;
  for (const o of ooms) o.at += shift;
  if (shift > 0) marks.unshift({ at: shift, label: "recording", kind: "note" });

  const meta: SnapshotMeta = {
    device,
    allocatorSettings: plainCopy(snap.allocator_settings ?? {}) as Record<string, unknown>,
    segments: kept,
    segmentEvents,
    reservedAtStart,
    ooms,
    ghosts: shift,
    actions,
    freeOn,
    warnings,
  };
  return importedTrace({ source: "imported", importedFrom: "pytorch-memory-snapshot", torch: meta }, marks, buffers, events, head, summaries.list);
}

/**
 * The lazy trace of an import: buffers and events stay in their columns (events after the ghost
 * allocations `head`, which come first at time 0).
 */
function importedTrace(meta: TraceMeta, marks: TraceMark[], buffers: BufferColumns, recorded: EventColumns, head: Int32Array, infos: FrameSummary[]): Trace {
  const nb = buffers.count;
  const ne = head.length + recorded.count;
  const eventBuffer = new Int32Array(ne);
  eventBuffer.set(head, 0);
  eventBuffer.set(recorded.buffer.items.subarray(0, recorded.count), head.length);
  const eventAlloc = new Uint8Array(ne);
  eventAlloc.fill(1, 0, head.length);
  eventAlloc.set(recorded.alloc.items.subarray(0, recorded.count), head.length);
  recorded.buffer.release();
  recorded.alloc.release();
  let times: Float64Array | undefined;
  if (recorded.time) {
    times = new Float64Array(ne);
    times.set(recorded.time.items.subarray(0, recorded.count), head.length);
    recorded.time.release();
  }
  const bytes = buffers.bytes.trim() as Float64Array;
  const category = buffers.category.trim() as Uint8Array;
  const address = buffers.address.trim() as Float64Array;
  const info = buffers.info.trim() as Int32Array;
  const stream = buffers.stream.trim() as Float64Array;
  const ghost = buffers.ghost.trim() as Uint8Array;
  const { wide } = buffers;
  // Every imported buffer is a physical one (views: logical, physical and backend).
  const views = new Uint8Array(nb).fill(7);
  const columns: TraceColumns = { bytes, category, views, eventBuffer, eventAlloc, hasLogical: false, hasKernelTemps: false };
  const rows: TraceRows = {
    bufferCount: nb,
    eventCount: ne,
    hasBufferPhases: false,
    times,
    buffer(i) {
      const b: TraceBuffer = { id: i, bytes: bytes[i], category: CATEGORIES[category[i]], address: Number.isNaN(address[i]) ? wide.get(2 * i)! : address[i] };
      if (info[i] >= 0) {
        const w = infos[info[i]];
        if (w.op) b.op = w.op;
        if (w.scope) b.scope = w.scope;
        if (w.site) b.site = w.site;
      }
      const s = Number.isNaN(stream[i]) ? wide.get(2 * i + 1) : stream[i];
      if (s !== undefined && s !== 0) b.stream = s;
      if (ghost[i]) b.ghost = true;
      return b;
    },
    event(i) {
      const e: TraceEvent = { kind: eventAlloc[i] ? "alloc" : "free", buffer: eventBuffer[i] };
      if (times) e.time = times[i];
      return e;
    },
  };
  return lazyTrace(meta, marks, rows, columns);
}

/** The buffers of an import, as columns. */
class BufferColumns {
  readonly bytes: Grow<Float64Array>;
  readonly category: Grow<Uint8Array>;
  readonly address: Grow<Float64Array>;
  readonly info: Grow<Int32Array>;
  readonly stream: Grow<Float64Array>;
  readonly ghost: Grow<Uint8Array>;
  /** Addresses (key 2i) and streams (2i + 1) beyond 2^53, as decimal text. */
  readonly wide = new Map<number, string>();
  count = 0;
  constructor(capacity: number) {
    this.bytes = new Grow(Float64Array, capacity);
    this.category = new Grow(Uint8Array, capacity);
    this.address = new Grow(Float64Array, capacity);
    this.info = new Grow(Int32Array, capacity);
    this.stream = new Grow(Float64Array, capacity);
    this.ghost = new Grow(Uint8Array, capacity);
  }
  push(bytes: number, category: number, address: number | bigint, info: number, stream: number | bigint | undefined, ghost: boolean): number {
    const id = this.count++;
    this.bytes.push(bytes);
    this.category.push(category);
    this.info.push(info);
    this.ghost.push(ghost ? 1 : 0);
    const a = plain(address);
    if (typeof a === "string") this.wide.set(2 * id, a);
    this.address.push(typeof a === "string" ? NaN : a);
    const s = stream === undefined ? undefined : plain(stream);
    if (typeof s === "string") this.wide.set(2 * id + 1, s);
    this.stream.push(typeof s === "number" ? s : NaN);
    return id;
  }
}

/** The events of an import, as columns. */
class EventColumns {
  readonly buffer: Grow<Int32Array>;
  readonly alloc: Grow<Uint8Array>;
  readonly time: Grow<Float64Array> | undefined;
  count = 0;
  constructor(capacity: number, timed: boolean) {
    this.buffer = new Grow(Int32Array, capacity);
    this.alloc = new Grow(Uint8Array, capacity);
    this.time = timed ? new Grow(Float64Array, capacity) : undefined;
  }
  push(buffer: number, alloc: 0 | 1, time: number) {
    this.count++;
    this.buffer.push(buffer);
    this.alloc.push(alloc);
    this.time?.push(time);
  }
}

/**
 * Segments of the dump that overlap one another, and recorded allocs outside every segment the
 * snapshot knows of (dumped or recorded): `ranges` holds the recorded segment events, then the
 * `dumped` segments of the dump. Sorting makes it O(n log n).
 */
function checkSegments(ranges: [number, number, string][], dumped: number, buffers: BufferColumns, allocEntry: Grow<Int32Array>, where: PathOf, warn: (w: string | (() => string)) => void) {
  if (ranges.length === 0) return;
  const dump = ranges.slice(ranges.length - dumped).sort((a, b) => a[0] - b[0]);
  for (let k = 1; k < dump.length; k++) {
    if (dump[k][0] < dump[k - 1][1]) warn(`${dump[k][2]} at ${hexAddress(dump[k][0])} overlaps ${dump[k - 1][2]} (${hexAddress(dump[k - 1][0])} to ${hexAddress(dump[k - 1][1])})`);
  }
  // The union of every known segment range, merged, to search by address.
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const starts: number[] = [];
  const ends: number[] = [];
  for (const [a, b] of sorted) {
    if (starts.length > 0 && a <= ends[ends.length - 1]) ends[ends.length - 1] = Math.max(ends[ends.length - 1], b);
    else {
      starts.push(a);
      ends.push(b);
    }
  }
  const addresses = buffers.address.items;
  const bytes = buffers.bytes.items;
  for (let id = 0; id < allocEntry.count; id++) {
    const i = allocEntry.items[id];
    const a = addresses[id];
    if (i < 0 || Number.isNaN(a)) continue;
    let lo = 0;
    let hi = starts.length - 1;
    let k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= a) {
        k = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (k < 0 || a + bytes[id] > ends[k]) warn(() => `${where(i)}: alloc at ${hexAddress(a)} of ${bytes[id]} bytes lies outside every segment of the snapshot`);
  }
}

/** Devices with a recorded history (a non-empty trace list) or segments, in order. */
function snapshotDevices(snap: TorchSnapshot): number[] {
  const found = new Set<number>();
  snap.device_traces.forEach((t, d) => {
    if (t.length > 0) found.add(d);
  });
  for (const s of snap.segments) {
    const d = s !== null && typeof s === "object" ? s.device ?? 0 : undefined;
    if (typeof d === "number") found.add(d);
  }
  return [...found].sort((a, b) => a - b);
}

function busiestDevice(snap: TorchSnapshot): number {
  let best = -1;
  let most = 0;
  snap.device_traces.forEach((t, d) => {
    if (t.length > most) {
      most = t.length;
      best = d;
    }
  });
  if (best >= 0) return best;
  let lowest = Infinity;
  for (const s of snap.segments) {
    const d = s?.device ?? 0;
    if (typeof d === "number" && d < lowest) lowest = d;
  }
  return lowest === Infinity ? 0 : lowest;
}

/** The paths in messages are only built when something is wrong (this runs per entry). */
type PathOf = (i: number) => string;

function address(v: unknown, path: PathOf | string, i = 0): number | bigint {
  if ((typeof v === "number" && Number.isSafeInteger(v) && v >= 0) || (typeof v === "bigint" && v >= 0n)) return v;
  const at = typeof path === "string" ? path : path(i);
  throw new SnapshotError(`importTorchSnapshot: ${at} has no valid address (a non-negative integer), got ${show(v)}`);
}

function bytesOf(v: unknown, path: PathOf | string, i = 0, field = ""): number {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  const at = (typeof path === "string" ? path : path(i)) + field;
  throw new SnapshotError(`importTorchSnapshot: ${at} must be a non-negative integer number of bytes, got ${show(v)}`);
}

function show(v: unknown): string {
  return typeof v === "bigint" ? `${v}` : v === undefined ? "nothing" : JSON.stringify(v)?.slice(0, 40) ?? String(v);
}

/** A JSON-safe integer: the number when it is safe, else its decimal text. */
function plain(v: number | bigint): number | string {
  if (typeof v === "number") return v;
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

function hexAddress(v: number | bigint): string {
  return `0x${v.toString(16)}`;
}

/** Where an entry's frames went once `shrinker` summarised them: an index into the summaries (an internal field). */
const FRAME_INFO = "__hbmscopeFrames";
const NO_FRAMES: TorchFrame[] = [];

/**
 * The `readPickle` dict hook of an import: stack frames become shared objects (one per distinct
 * file, line and function); an entry's or block's frame list becomes the index of its summary
 * (scope, op, site); and a regular trace entry becomes a row of `rows` (its row number takes its
 * place in the list), so that neither stacks (often most of a snapshot's bytes) nor entries are
 * held as objects.
 */
function shrinker(summaries: FrameSummaries, rows: SnapshotEntries) {
  // file -> line -> function -> the shared frame; no key strings built per frame.
  const frames = new Map<string, Map<unknown, Map<string, TorchFrame>>>();
  return (d: { [key: string]: unknown }) => {
    if (typeof d.filename === "string" && typeof d.name === "string" && d.action === undefined) {
      let byLine = frames.get(d.filename);
      if (byLine === undefined) frames.set(d.filename, (byLine = new Map()));
      let byName = byLine.get(d.line);
      if (byName === undefined) byLine.set(d.line, (byName = new Map()));
      const hit = byName.get(d.name);
      if (hit) return hit as never;
      byName.set(d.name, d as TorchFrame);
      return d as never;
    }
    const f = d.frames;
    const summary = summaries.ofShared(f);
    if (typeof d.action === "string") {
      const row = rows.add(d, summary);
      if (row >= 0) return row as never;
    }
    if (Array.isArray(f)) {
      if (summary >= 0) d[FRAME_INFO] = summary;
      d.frames = NO_FRAMES;
    }
    return d as never;
  };
}

/**
 * A JSON-safe copy of settings-like data: bigints become decimal text, at most 1000 values and
 * 16 levels (a hostile pickle can share one list many times over; this keeps the copy small).
 */
function plainCopy(v: unknown): unknown {
  let budget = 1000;
  const copy = (x: unknown, depth: number): unknown => {
    if (--budget < 0 || depth > 16) return null;
    if (typeof x === "bigint") return plain(x);
    if (x === null || typeof x !== "object") return typeof x === "number" && !Number.isFinite(x) ? String(x) : x;
    if (Array.isArray(x)) return x.slice(0, 100).map((y) => copy(y, depth + 1));
    if (x instanceof Uint8Array) return null;
    const out: Record<string, unknown> = {};
    for (const [k, y] of Object.entries(x).slice(0, 100)) out[k] = copy(y, depth + 1);
    return out;
  };
  return copy(v, 0);
}
