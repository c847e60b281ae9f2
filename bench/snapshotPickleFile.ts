import { closeSync, openSync, writeSync } from "node:fs";
import type { TorchFrame, TorchTraceEntry } from "@hbmscope/core";
// The pickle writer's byte buffer and number encodings are core's own (not public API).
import { ByteWriter, writePickleLong, writePickleNumber } from "../packages/core/src/interop/byteWriter.js";
import { syntheticAllocatorSettings, syntheticHistory } from "./syntheticSnapshot.js";

/**
 * Streams the pickle of a `syntheticSnapshot` of any size (1 GB and more) to a file in bounded
 * memory: the entries come one by one from `syntheticHistory`, and bytes go out through a 4 MiB
 * buffer. Two passes over the (cheap, deterministic) generator: the first finds the end state's
 * segments and the entry count, which the pickle holds before the trace.
 *
 * Two styles of the same logical content:
 * - `"plain"`: the bytes `writePickle(syntheticSnapshot(...))` writes (protocol 2, strings memoised
 *   by value, containers never memoised).
 * - `"python"`: what CPython's `pickle.dump(torch.cuda.memory._snapshot(), f)` writes (protocol 4,
 *   the default of Python 3.8 to 3.13), with the object sharing PyTorch's snapshot has. Sources:
 *   - CPython Modules/_pickle.c: `dump` writes PROTO 4 then turns framing on; `save` starts with
 *     `_Pickler_OpcodeBoundary`, which ends the current frame once it holds >= 64 KiB
 *     (FRAME_SIZE_TARGET); `_Pickler_CommitFrame` writes FRAME + 8-byte little-endian length, or
 *     no header for a frame under 4 bytes (FRAME_SIZE_MIN); `write_unicode_binary` uses
 *     SHORT_BINUNICODE up to 255 UTF-8 bytes; `save_unicode`, `save_list`, `save_dict` end with
 *     `memo_put` (MEMOIZE in protocol 4, right after the string / EMPTY_LIST / EMPTY_DICT);
 *     objects already memoised (by identity) are BINGET (index < 256) or LONG_BINGET; ints and
 *     bools are never memoised; `batch_list_exact` / `batch_dict_exact` write a 1-item list or
 *     dict as item APPEND / key value SETITEM, otherwise MARK ... APPENDS / SETITEMS in batches
 *     of 1000; `save_long` as BININT1 / BININT2 / BININT / LONG1.
 *   - PyTorch torch/csrc/cuda/Module.cpp `THCPModule_memorySnapshot`: every key ("action",
 *     "addr", "size", "stream", "time_us", "frames", "address", "blocks", ...), every action
 *     ("alloc", "free_requested", ...) and "large" / "active_allocated" is one `py::str` made
 *     once per snapshot, so only its first use is written out; a trace entry's "frames" is set
 *     last (after "time_us") from `py_symbolize`; a block without context gets the one shared
 *     `empty_frames` list.
 *   - PyTorch torch/csrc/profiler/python/combined_traceback.cpp `py_symbolize` and
 *     torch/csrc/profiler/combined_traceback.cpp `symbolize`: frames are deduplicated by code
 *     location (one dict per distinct frame, keys "name", "filename", "line" in that order, its
 *     strings fresh objects), but tracebacks only by `CapturedTraceback` pointer, and the
 *     allocator gathers a new one per recorded event: so each trace entry's frames list is its
 *     own list object (memoised, never read back), holding BINGETs of shared frame dicts.
 */
export interface SnapshotFileOptions {
  /** Trace entries (as `syntheticSnapshot`'s `entries`). */
  entries: number;
  /** @defaultValue 7 */
  seed?: number;
  /** Frames per stack (as `syntheticSnapshot`'s `stackDepth`). @defaultValue 2 */
  stackDepth?: number;
  /** Which pickler's bytes to write (see above). @defaultValue "plain" */
  style?: "python" | "plain";
}

/**
 * Writes the pickle of `syntheticSnapshot(entries, seed, stackDepth)` to `path`, streaming
 * (memory stays bounded whatever the size). Returns the bytes written.
 */
export function writeSnapshotPickleFile(path: string, options: SnapshotFileOptions): number {
  const fd = openSync(path, "w");
  try {
    return writeSnapshot(options, (chunk) => {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
    });
  } finally {
    closeSync(fd);
  }
}

/** The same bytes as `writeSnapshotPickleFile`, in memory (for small sizes and tests). */
export function snapshotPickleBytes(options: SnapshotFileOptions): Uint8Array {
  const chunks: Uint8Array[] = [];
  const total = writeSnapshot(options, (chunk) => chunks.push(chunk.slice()));
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Bytes gathered before each write to the file. */
const FLUSH_BYTES = 4 * 2 ** 20;
/** CPython's pickler appends list items and dict items in batches of this many (`BATCHSIZE`). */
const BATCH = 1000;
/** CPython Modules/_pickle.c FRAME_SIZE_TARGET and FRAME_SIZE_MIN (Lib/pickle.py `_FRAME_SIZE_*`). */
const FRAME_SIZE_TARGET = 64 * 1024;
const FRAME_SIZE_MIN = 4;

// Opcodes (CPython Lib/pickle.py).
const MARK = 0x28;
const STOP = 0x2e;
const NONE = 0x4e;
const BINUNICODE = 0x58;
const EMPTY_LIST = 0x5d;
const APPEND = 0x61;
const APPENDS = 0x65;
const BINGET = 0x68;
const LONG_BINGET = 0x6a;
const BINPUT = 0x71;
const LONG_BINPUT = 0x72;
const SETITEM = 0x73;
const SETITEMS = 0x75;
const EMPTY_DICT = 0x7d;
const PROTO = 0x80;
const NEWTRUE = 0x88;
const NEWFALSE = 0x89;
const SHORT_BINUNICODE = 0x8c;
const MEMOIZE = 0x94;
const FRAME = 0x95;

function writeSnapshot(options: SnapshotFileOptions, emit: (chunk: Uint8Array) => void): number {
  const { entries, seed = 7, stackDepth = 2, style = "plain" } = options;
  if (!Number.isSafeInteger(entries) || entries < 0) {
    throw new RangeError(`writeSnapshotPickleFile: entries must be a whole number >= 0, got ${entries}`);
  }
  if (style !== "plain" && style !== "python") {
    throw new RangeError(`writeSnapshotPickleFile: style must be "plain" or "python", got ${String(style)}`);
  }
  // Pass 1: the end state's segments and the entry count, which come before the trace.
  const first = syntheticHistory(entries, seed, stackDepth);
  let count = 0;
  for (const _ of first.entries) count++;
  const segments = first.segments();
  const trace = syntheticHistory(entries, seed, stackDepth).entries;

  const sink = new ByteWriter(FLUSH_BYTES + (1 << 18));
  let total = 0;
  const flush = (force: boolean) => {
    if (sink.length === 0 || (!force && sink.length < FLUSH_BYTES)) return;
    emit(sink.written());
    total += sink.length;
    sink.clear();
  };

  if (style === "plain") {
    const w = new PlainPickler(sink);
    sink.byte(PROTO).byte(2);
    sink.byte(EMPTY_DICT).byte(MARK);
    w.str("segments");
    w.value(segments);
    w.str("device_traces");
    sink.byte(EMPTY_LIST).byte(MARK).byte(EMPTY_LIST);
    let i = 0;
    for (const e of trace) {
      if (i % BATCH === 0) {
        if (i > 0) sink.byte(APPENDS);
        sink.byte(MARK);
      }
      w.value(e);
      i++;
      flush(false);
    }
    if (i > 0) sink.byte(APPENDS);
    sink.byte(APPENDS); // the list of device traces
    w.str("allocator_settings");
    w.value({ ...syntheticAllocatorSettings });
    sink.byte(SETITEMS).byte(STOP);
  } else {
    const w = new PythonPickler(sink, () => flush(false));
    sink.byte(PROTO).byte(4); // outside any frame: framing starts after the header
    w.dict(3);
    w.fresh("segments");
    const segs = w.list(segments.length);
    for (const s of segments) {
      w.item(segs);
      w.dict(6);
      w.shared("device").int(s.device!);
      w.shared("address").int(s.address as number);
      w.shared("total_size").int(s.total_size);
      w.shared("stream").int(s.stream as number);
      w.shared("segment_type").shared(s.segment_type!);
      w.shared("blocks");
      const blocks = w.list(s.blocks.length);
      for (const b of s.blocks) {
        w.item(blocks);
        w.dict(5);
        w.shared("address").int(b.address as number);
        w.shared("size").int(b.size);
        w.shared("requested_size").int(b.requested_size!);
        w.shared("state").shared(b.state);
        w.shared("frames").emptyFrames();
        w.endDict(5);
        w.endItem(blocks);
      }
      w.endDict(6);
      w.endItem(segs);
    }
    w.fresh("device_traces");
    const devices = w.list(1);
    w.item(devices);
    const entriesList = w.list(count);
    for (const e of trace) {
      w.item(entriesList);
      w.traceEntry(e);
      w.endItem(entriesList);
    }
    w.endItem(devices);
    w.fresh("allocator_settings");
    w.dict(2);
    w.fresh("max_split_size").int(syntheticAllocatorSettings.max_split_size);
    w.fresh("expandable_segments").bool(syntheticAllocatorSettings.expandable_segments);
    w.endDict(2);
    w.endDict(3);
    w.finish();
  }
  flush(true);
  return total;
}

const encoder = new TextEncoder();

/** `writePickle`'s encoding, streamed: strings of up to 256 UTF-8 bytes memoised by value. */
class PlainPickler {
  private memo = new Map<string, number>();
  constructor(private out: ByteWriter) {}

  str(v: string) {
    const out = this.out;
    const k = this.memo.get(v);
    if (k !== undefined) {
      if (k < 256) out.byte(BINGET).byte(k);
      else out.byte(LONG_BINGET).u32(k);
      return;
    }
    const utf8 = encoder.encode(v);
    out.byte(BINUNICODE).u32(utf8.length).bytes(utf8);
    if (utf8.length <= 256) {
      const id = this.memo.size;
      this.memo.set(v, id);
      if (id < 256) out.byte(BINPUT).byte(id);
      else out.byte(LONG_BINPUT).u32(id);
    }
  }

  /** Plain data of the snapshot's kinds (no cycles, no bytes), in `writePickle`'s opcodes. */
  value(v: unknown) {
    const out = this.out;
    if (v === null) out.byte(NONE);
    else if (v === true) out.byte(NEWTRUE);
    else if (v === false) out.byte(NEWFALSE);
    else if (typeof v === "number") writePickleNumber(out, v);
    else if (typeof v === "bigint") writePickleLong(out, v);
    else if (typeof v === "string") this.str(v);
    else if (Array.isArray(v)) {
      out.byte(EMPTY_LIST);
      for (let i = 0; i < v.length; i++) {
        if (i % BATCH === 0) {
          if (i > 0) out.byte(APPENDS);
          out.byte(MARK);
        }
        this.value(v[i]);
      }
      if (v.length > 0) out.byte(APPENDS);
    } else if (typeof v === "object") {
      out.byte(EMPTY_DICT);
      let i = 0;
      const o = v as Record<string, unknown>;
      for (const key in o) {
        const x = o[key];
        if (x === undefined) continue;
        if (i % BATCH === 0) {
          if (i > 0) out.byte(SETITEMS);
          out.byte(MARK);
        }
        this.str(key);
        this.value(x);
        i++;
      }
      if (i > 0) out.byte(SETITEMS);
    } else throw new TypeError(`snapshotPickleBytes: cannot write a ${typeof v}`);
  }
}

/** A list being written by `PythonPickler`: its length and how many items are out. */
interface ListState {
  n: number;
  i: number;
}

/**
 * CPython's protocol-4 pickler (Modules/_pickle.c), for the objects of a PyTorch snapshot: writes
 * into the current frame, committed to `sink` at each `save` boundary once it reaches 64 KiB.
 */
class PythonPickler {
  private frame = new ByteWriter(FRAME_SIZE_TARGET * 2);
  private memoSize = 0;
  /** Memo indices of the snapshot's shared `py::str` objects (keys, actions, states), by value. */
  private sharedStrs = new Map<string, number>();
  /** Memo indices of frame dicts, by code location (file, line, name). */
  private frameDicts = new Map<string, number>();
  /** Memo index of the shared `empty_frames` list of blocks without context, once written. */
  private emptyFramesAt = -1;

  constructor(private sink: ByteWriter, private drain: () => void) {}

  /** What `save()` does first: end the frame once it holds FRAME_SIZE_TARGET bytes. */
  private save(): ByteWriter {
    if (this.frame.length >= FRAME_SIZE_TARGET) this.commit();
    return this.frame;
  }

  private commit() {
    const f = this.frame;
    if (f.length >= FRAME_SIZE_MIN) this.sink.byte(FRAME).u64(f.length);
    this.sink.bytes(f.written());
    f.clear();
    this.drain();
  }

  private memoize(): number {
    this.frame.byte(MEMOIZE);
    return this.memoSize++;
  }

  private get(idx: number) {
    if (idx < 256) this.frame.byte(BINGET).byte(idx);
    else this.frame.byte(LONG_BINGET).u32(idx);
  }

  private writeStr(v: string) {
    const utf8 = encoder.encode(v);
    if (utf8.length >= FRAME_SIZE_TARGET) {
      // CPython writes such payloads outside frames (`_Pickler_write_bytes`); none here.
      throw new RangeError(`snapshotPickleBytes: strings of 64 KiB or more are not supported (${utf8.length} bytes)`);
    }
    const f = this.frame;
    if (utf8.length <= 0xff) f.byte(SHORT_BINUNICODE).byte(utf8.length);
    else f.byte(BINUNICODE).u32(utf8.length);
    f.bytes(utf8);
  }

  /**
   * A string object of its own (written out, memoised, never read back). Except the empty string
   * and one-character Latin-1 strings: CPython keeps one object of each, so those are shared.
   */
  fresh(v: string): this {
    if (v.length === 0 || (v.length === 1 && v.charCodeAt(0) < 256)) return this.shared(v);
    this.save();
    this.writeStr(v);
    this.memoize();
    return this;
  }

  /** One of the snapshot's shared string objects: written the first time, BINGET after. */
  shared(v: string): this {
    this.save();
    const at = this.sharedStrs.get(v);
    if (at !== undefined) this.get(at);
    else {
      this.writeStr(v);
      this.sharedStrs.set(v, this.memoize());
    }
    return this;
  }

  int(v: number): this {
    writePickleNumber(this.save(), v);
    return this;
  }

  bool(v: boolean): this {
    this.save().byte(v ? NEWTRUE : NEWFALSE);
    return this;
  }

  /** A new dict of `n` items (fewer than 1000): its items follow, then `endDict(n)`. */
  dict(n: number) {
    this.save().byte(EMPTY_DICT);
    this.memoize();
    if (n > 1) this.frame.byte(MARK);
  }

  /** After a dict's `n` items: SETITEM for one, SETITEMS for more. */
  endDict(n: number) {
    if (n === 1) this.frame.byte(SETITEM);
    else if (n !== 0) this.frame.byte(SETITEMS);
  }

  /** A new list of `n` items: each item between `item` and `endItem`. */
  list(n: number): ListState {
    this.save().byte(EMPTY_LIST);
    this.memoize();
    return { n, i: 0 };
  }

  item(l: ListState) {
    if (l.n !== 1 && l.i % BATCH === 0) this.frame.byte(MARK);
  }

  endItem(l: ListState) {
    l.i++;
    if (l.n === 1) this.frame.byte(APPEND);
    else if (l.i % BATCH === 0 || l.i === l.n) this.frame.byte(APPENDS);
  }

  /** The shared `empty_frames` list of Module.cpp. */
  emptyFrames() {
    this.save();
    if (this.emptyFramesAt >= 0) this.get(this.emptyFramesAt);
    else {
      this.frame.byte(EMPTY_LIST);
      this.emptyFramesAt = this.memoize();
    }
  }

  /** One trace entry: keys in the entry's order ("frames" is last, as PyTorch sets it). */
  traceEntry(e: TorchTraceEntry) {
    let n = 0;
    for (const key in e) if (e[key] !== undefined) n++;
    this.dict(n);
    for (const key in e) {
      const v = e[key];
      if (v === undefined) continue;
      this.shared(key);
      if (key === "action") this.shared(v as string);
      else if (key === "frames") this.frames(v as TorchFrame[]);
      else if (typeof v === "number") this.int(v);
      else throw new TypeError(`snapshotPickleBytes: unexpected trace entry field ${key}`);
    }
    this.endDict(n);
  }

  /** A traceback: a list of its own holding the shared frame dicts. */
  private frames(frames: TorchFrame[]) {
    const l = this.list(frames.length);
    for (const fr of frames) {
      this.item(l);
      this.frameDict(fr);
      this.endItem(l);
    }
  }

  private frameDict(fr: TorchFrame) {
    const key = `${fr.filename}\0${fr.line}\0${fr.name}`;
    const at = this.frameDicts.get(key);
    if (at !== undefined) {
      this.save();
      this.get(at);
      return;
    }
    this.save().byte(EMPTY_DICT);
    this.frameDicts.set(key, this.memoize());
    this.frame.byte(MARK);
    this.shared("name").fresh(fr.name);
    this.shared("filename").fresh(fr.filename);
    this.shared("line").int(fr.line);
    this.frame.byte(SETITEMS);
  }

  /** STOP, then the last frame. */
  finish() {
    this.frame.byte(STOP);
    this.commit();
  }
}
