import type { PickleValue } from "./readPickle.js";
import { ByteWriter, writePickleLong, writePickleNumber } from "./byteWriter.js";
import { SnapshotError } from "./snapshotError.js";

/**
 * Writes plain data as a pickle, protocol 2, with the opcodes Python's own pickler uses for them
 * (dicts, lists, strings, ints of any width, floats, bools, None; repeated strings memoised).
 * Python's `pickle.load`, PyTorch's memory viewer (pytorch.org/memory_viz) and `readPickle`
 * read it. Items are appended in batches of 1000, as CPython does (the viewer spreads a batch
 * into a function call, which would overflow on one huge batch). Iterative: any nesting depth.
 * `undefined` object fields are skipped; functions, symbols and cycles are refused.
 * `options.shareRepeated`: a list or dict met again is written as a reference to the first
 * (BINPUT / BINGET, as Python's pickler does for an object it has seen), so one list can stand in
 * many places (how a snapshot can share one stack among entries). @defaultValue false: each
 * occurrence written out in full.
 */
export function writePickle(value: unknown, options: { shareRepeated?: boolean } = {}): Uint8Array {
  const out = new ByteWriter();
  const memo = new Map<string, number>();
  const objects = new Map<object, number>();
  let memoSize = 0;
  const put = (id: number) => {
    if (id < 256) out.byte(0x71).byte(id);
    else out.byte(0x72).u32(id);
  };
  const get = (id: number) => {
    if (id < 256) out.byte(0x68).byte(id);
    else out.byte(0x6a).u32(id);
  };
  const onPath = new Set<object>();
  out.byte(0x80).byte(2); // PROTO 2
  type Frame = { kind: "list"; items: readonly unknown[]; i: number; self: object } | { kind: "dict"; entries: [string, unknown][]; i: number; self: object };
  const frames: Frame[] = [];

  const scalar = (v: unknown): boolean => {
    if (v === null || v === undefined) out.byte(0x4e);
    else if (v === true) out.byte(0x88);
    else if (v === false) out.byte(0x89);
    else if (typeof v === "number") writePickleNumber(out, v);
    else if (typeof v === "bigint") writePickleLong(out, v);
    else if (typeof v === "string") {
      const k = memo.get(v);
      if (k !== undefined) get(k);
      else {
        const utf8 = encoder.encode(v);
        out.byte(0x58).u32(utf8.length).bytes(utf8);
        // Memoise strings that are likely to repeat (keys, actions, file names), not every value.
        if (utf8.length <= 256) {
          const id = memoSize++;
          memo.set(v, id);
          put(id);
        }
      }
    } else if (v instanceof Uint8Array) {
      out.byte(0x42).u32(v.length).bytes(v);
    } else return false;
    return true;
  };

  const open = (v: unknown) => {
    if (scalar(v)) return;
    if (typeof v !== "object") throw new SnapshotError(`writePickle: cannot write a ${typeof v}`);
    const o = v as object;
    if (onPath.has(o)) throw new SnapshotError("writePickle: the value contains a cycle");
    const seen = objects.get(o);
    if (seen !== undefined) return get(seen);
    onPath.add(o);
    const share = () => {
      if (!options.shareRepeated) return;
      objects.set(o, memoSize);
      put(memoSize++);
    };
    if (Array.isArray(o) || ArrayBuffer.isView(o)) {
      out.byte(0x5d); // EMPTY_LIST
      share();
      frames.push({ kind: "list", items: Array.isArray(o) ? o : Array.from(o as unknown as ArrayLike<number>), i: 0, self: o });
    } else {
      out.byte(0x7d); // EMPTY_DICT
      share();
      const entries = Object.entries(o).filter(([, x]) => x !== undefined);
      frames.push({ kind: "dict", entries, i: 0, self: o });
    }
  };

  open(value);
  while (frames.length > 0) {
    const f = frames[frames.length - 1];
    const total = f.kind === "list" ? f.items.length : f.entries.length;
    if (f.i >= total) {
      if (total > 0) out.byte(f.kind === "list" ? 0x65 : 0x75); // close the last batch: APPENDS / SETITEMS
      onPath.delete(f.self);
      frames.pop();
      continue;
    }
    if (f.i % BATCH === 0) {
      if (f.i > 0) out.byte(f.kind === "list" ? 0x65 : 0x75);
      out.byte(0x28); // MARK
    }
    const at = f.i++;
    if (f.kind === "list") open(f.items[at]);
    else {
      scalar(f.entries[at][0]);
      open(f.entries[at][1]);
    }
  }
  out.byte(0x2e); // STOP
  return out.result();
}

/** CPython's pickler writes APPENDS and SETITEMS in batches of this many items (Lib/pickle.py `_BATCHSIZE`). */
const BATCH = 1000;
const encoder = new TextEncoder();

