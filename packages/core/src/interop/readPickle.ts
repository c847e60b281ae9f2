import { ByteWindows, type ByteSource } from "./byteSource.js";
import { SnapshotError } from "./snapshotError.js";

/**
 * What `readPickle` returns: plain data only. Python `None` is `null`, lists, tuples and sets are
 * arrays, dicts are plain objects (keys are strings; int keys become their decimal text), `bytes`
 * are `Uint8Array`s, and integers are numbers when they are safe integers, `bigint`s otherwise.
 */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | { [key: string]: PickleValue };

export interface ReadPickleOptions {
  /**
   * Widest integer (LONG1/LONG4) accepted, in bytes. Wider ones are refused, so that a hostile
   * file cannot make the reader build huge numbers. @defaultValue 64 (512 bits)
   */
  maxIntBytes?: number;
  /**
   * Called with each dict when its items are set (SETITEMS, SETITEM, DICT); what it returns takes
   * the dict's place. Lets a caller shrink values as they are read (e.g. replace stack frames by
   * shared ones) instead of holding the whole tree. Not called for dicts the pickle refers to
   * again through its memo (their identity matters). @defaultValue none
   */
  dict?: (d: { [key: string]: PickleValue }) => PickleValue;
}

// Opcodes, from CPython Lib/pickle.py (protocols 0-5). Only the data subset is decoded.
const MARK = 0x28; // (
const STOP = 0x2e; // .
const POP = 0x30; // 0
const POP_MARK = 0x31; // 1
const DUP = 0x32; // 2
const BININT = 0x4a; // J
const BININT1 = 0x4b; // K
const BININT2 = 0x4d; // M
const NONE = 0x4e; // N
const BINFLOAT = 0x47; // G
const BINUNICODE = 0x58; // X
const BINBYTES = 0x42; // B (protocol 3)
const SHORT_BINBYTES = 0x43; // C (protocol 3)
const APPEND = 0x61; // a
const APPENDS = 0x65; // e
const DICT = 0x64; // d
const EMPTY_DICT = 0x7d; // }
const BINGET = 0x68; // h
const LONG_BINGET = 0x6a; // j
const LIST = 0x6c; // l
const EMPTY_LIST = 0x5d; // ]
const BINPUT = 0x71; // q
const LONG_BINPUT = 0x72; // r
const SETITEM = 0x73; // s
const SETITEMS = 0x75; // u
const TUPLE = 0x74; // t
const EMPTY_TUPLE = 0x29; // )
const PROTO = 0x80; // protocol 2
const TUPLE1 = 0x85;
const TUPLE2 = 0x86;
const TUPLE3 = 0x87;
const NEWTRUE = 0x88;
const NEWFALSE = 0x89;
const LONG1 = 0x8a;
const LONG4 = 0x8b;
const SHORT_BINUNICODE = 0x8c; // protocol 4
const BINUNICODE8 = 0x8d;
const BINBYTES8 = 0x8e;
const EMPTY_SET = 0x8f;
const ADDITEMS = 0x90;
const FROZENSET = 0x91;
const MEMOIZE = 0x94;
const FRAME = 0x95;
const BYTEARRAY8 = 0x96; // protocol 5

/** Opcodes that import, call or construct Python objects: never run, always refused. */
const EXECUTING: Record<number, string> = {
  0x63: "GLOBAL",
  0x93: "STACK_GLOBAL",
  0x52: "REDUCE",
  0x62: "BUILD",
  0x69: "INST",
  0x6f: "OBJ",
  0x81: "NEWOBJ",
  0x92: "NEWOBJ_EX",
  0x82: "EXT1",
  0x83: "EXT2",
  0x84: "EXT4",
  0x50: "PERSID",
  0x51: "BINPERSID",
  0x97: "NEXT_BUFFER",
  0x98: "READONLY_BUFFER",
};

/** Text opcodes of protocols 0 and 1, which Python has not written by default since 3.0. */
const TEXT_PROTOCOL: Record<number, string> = {
  0x46: "FLOAT",
  0x49: "INT",
  0x4c: "LONG",
  0x53: "STRING",
  0x54: "BINSTRING",
  0x55: "SHORT_BINSTRING",
  0x56: "UNICODE",
  0x67: "GET",
  0x70: "PUT",
};

const decoder = new TextDecoder("utf-8");

function hex(op: number): string {
  return `0x${op.toString(16).padStart(2, "0")}`;
}

/**
 * Reads one pickle (Python `pickle`, protocols 2 to 5, and PyTorch's C++ pickler) holding plain
 * data: dicts, lists, tuples, sets, strings, bytes, ints of any width, floats, bools and None,
 * with memo and frame opcodes. Never executes anything: opcodes that would import or call Python
 * code (GLOBAL, REDUCE, BUILD, ...) are refused with a `SnapshotError`, as is truncated or
 * malformed input. Runs in time linear in the input (no recursion, so nesting depth is only
 * bounded by memory), and builds at most one value per input byte.
 *
 * Memory: besides what it returns (which `options.dict` can shrink as it goes), the reader holds
 * the memo entries the pickle reads back, a bit per memo index read back, and the stack. Given a
 * `ByteSource` it reads the file in two passes (the first finds which memo entries are read back)
 * and holds only the chunk it is in, so a file far larger than the memory it needs can be read.
 *
 * @param data The pickle: the whole file, or a `ByteSource` that gives it in chunks. Bytes after
 * its STOP opcode are ignored (as Python does).
 */
export function readPickle(data: Uint8Array | ByteSource, options: ReadPickleOptions = {}): PickleValue {
  const maxIntBytes = options.maxIntBytes ?? 64;
  if (typeof data !== "function" && !(data instanceof Uint8Array)) {
    throw new SnapshotError(`readPickle: expected a Uint8Array or a ByteSource function, got ${data === null ? "null" : typeof data}`, 0);
  }
  // Only memo entries the pickle reads back are kept: Python memoises every container, and
  // holding them all would keep the whole tree alive however the caller shrinks it.
  const referenced = memoReads(data);
  const windows = new ByteWindows(data);
  let bytes = windows.first(data);
  let n = bytes.length;
  let view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // `base`: offset in the file of the window's first byte.
  let base = 0;
  const stack: PickleValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PickleValue>();
  const shared = new Set<PickleValue>();
  const onDict = options.dict;
  let memoCount = 0;
  let pos = 0;
  let opAt = 0;

  /** Makes `k` bytes readable at `pos` if the source has them (the next window starts at `pos`). */
  const more = (k: number): boolean => {
    if (windows.ended) return false;
    const next = windows.extend(bytes.subarray(pos, n), k);
    base += pos;
    bytes = next;
    pos = 0;
    n = bytes.length;
    view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return n >= k;
  };
  const fail = (message: string): never => {
    throw new SnapshotError(`readPickle: ${message} (byte ${opAt})`, opAt);
  };
  const need = (k: number, what: string) => {
    if (k > n - pos && !more(k)) fail(`truncated: ${what} needs ${k} bytes, ${n - pos} left`);
  };
  const pop = (what: string): PickleValue => {
    const floor = marks.length > 0 ? marks[marks.length - 1] : 0;
    if (stack.length <= floor) fail(`${what} with an empty stack`);
    return stack.pop()!;
  };
  const top = (what: string): PickleValue => {
    const floor = marks.length > 0 ? marks[marks.length - 1] : 0;
    if (stack.length <= floor) fail(`${what} with an empty stack`);
    return stack[stack.length - 1];
  };
  const popMark = (what: string): number => {
    if (marks.length === 0) fail(`${what} without a MARK`);
    return marks.pop()!;
  };
  const u32 = (): number => {
    need(4, "a 4-byte length");
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (what: string): number => {
    need(8, "an 8-byte length");
    const v = view.getBigUint64(pos, true);
    pos += 8;
    // Checked against the bytes that are there before anything is allocated for it.
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`truncated: ${what} of ${v} bytes runs past the end of any file`);
    if (v > BigInt(n - pos) && !more(Number(v))) fail(`truncated: ${what} of ${v} bytes, ${n - pos} left`);
    return Number(v);
  };
  const text = (len: number): string => {
    need(len, "a string");
    const s = len < 48 ? ascii(bytes, pos, len) ?? decoder.decode(bytes.subarray(pos, pos + len)) : decoder.decode(bytes.subarray(pos, pos + len));
    pos += len;
    return s;
  };
  const blob = (len: number): Uint8Array => {
    need(len, "a bytes value");
    const b = bytes.slice(pos, pos + len);
    pos += len;
    return b;
  };
  const long = (len: number): number | bigint => {
    if (len > maxIntBytes) fail(`an integer of ${len} bytes is wider than accepted (maxIntBytes ${maxIntBytes})`);
    need(len, "an integer");
    const v = littleEndianSigned(bytes, pos, len);
    pos += len;
    return v;
  };
  const dictOf = (d: PickleValue, what: string): { [key: string]: PickleValue } => {
    if (d === null || typeof d !== "object" || Array.isArray(d) || d instanceof Uint8Array) fail(`${what} on a ${kindOf(d)}, not a dict`);
    return d as { [key: string]: PickleValue };
  };
  const listOf = (l: PickleValue, what: string): PickleValue[] => {
    if (!Array.isArray(l)) fail(`${what} on a ${kindOf(l)}, not a list`);
    return l as PickleValue[];
  };
  const setItems = (d: { [key: string]: PickleValue }, from: number) => {
    if ((stack.length - from) % 2 !== 0) fail("SETITEMS with an odd number of keys and values");
    for (let i = from; i < stack.length; i += 2) put(d, keyOf(stack[i]), stack[i + 1]);
    stack.length = from;
  };
  const remember = (i: number, v: PickleValue) => {
    if (i === memoCount) memoCount++;
    if (i < referenced.length * 8 && referenced[i >>> 3] & (1 << (i & 7))) {
      memo.set(i, v);
      if (v !== null && typeof v === "object") shared.add(v);
    }
  };
  const finish = (d: { [key: string]: PickleValue }): PickleValue => (onDict && !shared.has(d) ? onDict(d) : d);
  const keyOf = (k: PickleValue): string => {
    if (typeof k === "string") return k;
    if (typeof k === "number" || typeof k === "bigint") return String(k);
    return fail(`a dict key of type ${kindOf(k)} is not supported (only str and int keys)`);
  };

  while (true) {
    if (pos >= n && !more(1)) {
      opAt = base + pos;
      fail("ended without STOP (truncated file?)");
    }
    opAt = base + pos;
    const op = bytes[pos++];
    switch (op) {
      case PROTO: {
        need(1, "PROTO");
        const v = bytes[pos++];
        if (v > 5) fail(`protocol ${v} is newer than 5, the newest this reader knows`);
        break;
      }
      case FRAME:
        u64("a frame");
        break;
      case STOP: {
        if (marks.length > 0) fail("STOP with an open MARK");
        if (stack.length !== 1) fail(`STOP with ${stack.length} values on the stack, not 1`);
        return stack[0];
      }
      case MARK:
        marks.push(stack.length);
        break;
      case POP:
        if (marks.length > 0 && marks[marks.length - 1] === stack.length) marks.pop();
        else pop("POP");
        break;
      case POP_MARK:
        stack.length = popMark("POP_MARK");
        break;
      case DUP:
        stack.push(top("DUP"));
        break;
      case NONE:
        stack.push(null);
        break;
      case NEWTRUE:
        stack.push(true);
        break;
      case NEWFALSE:
        stack.push(false);
        break;
      case BININT1:
        need(1, "BININT1");
        stack.push(bytes[pos++]);
        break;
      case BININT2:
        need(2, "BININT2");
        stack.push(bytes[pos] | (bytes[pos + 1] << 8));
        pos += 2;
        break;
      case BININT:
        need(4, "BININT");
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case LONG1: {
        need(1, "LONG1");
        const len = bytes[pos++];
        stack.push(long(len));
        break;
      }
      case LONG4: {
        const len = u32();
        if (len > 0x7fffffff) fail("LONG4 with a negative length");
        stack.push(long(len));
        break;
      }
      case BINFLOAT:
        need(8, "BINFLOAT");
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case SHORT_BINUNICODE: {
        need(1, "SHORT_BINUNICODE");
        const len = bytes[pos++];
        stack.push(text(len));
        break;
      }
      case BINUNICODE:
        stack.push(text(u32()));
        break;
      case BINUNICODE8:
        stack.push(text(u64("a string")));
        break;
      case SHORT_BINBYTES: {
        need(1, "SHORT_BINBYTES");
        const len = bytes[pos++];
        stack.push(blob(len));
        break;
      }
      case BINBYTES:
        stack.push(blob(u32()));
        break;
      case BINBYTES8:
      case BYTEARRAY8:
        stack.push(blob(u64("a bytes value")));
        break;
      case EMPTY_LIST:
      case EMPTY_TUPLE:
      case EMPTY_SET:
        stack.push([]);
        break;
      case EMPTY_DICT:
        stack.push({});
        break;
      case LIST:
      case TUPLE:
      case FROZENSET: {
        const from = popMark(op === LIST ? "LIST" : op === TUPLE ? "TUPLE" : "FROZENSET");
        const items = stack.slice(from);
        stack.length = from;
        stack.push(items);
        break;
      }
      case TUPLE1: {
        const a = pop("TUPLE1");
        stack.push([a]);
        break;
      }
      case TUPLE2: {
        const b = pop("TUPLE2");
        const a = pop("TUPLE2");
        stack.push([a, b]);
        break;
      }
      case TUPLE3: {
        const c = pop("TUPLE3");
        const b = pop("TUPLE3");
        const a = pop("TUPLE3");
        stack.push([a, b, c]);
        break;
      }
      case DICT: {
        const from = popMark("DICT");
        const d: { [key: string]: PickleValue } = {};
        setItems(d, from);
        stack.push(finish(d));
        break;
      }
      case APPEND: {
        const v = pop("APPEND");
        listOf(top("APPEND"), "APPEND").push(v);
        break;
      }
      case APPENDS:
      case ADDITEMS: {
        const from = popMark(op === APPENDS ? "APPENDS" : "ADDITEMS");
        if (from === 0 || (marks.length > 0 && marks[marks.length - 1] >= from)) fail(`${op === APPENDS ? "APPENDS" : "ADDITEMS"} with no list below its MARK`);
        const l = listOf(stack[from - 1], op === APPENDS ? "APPENDS" : "ADDITEMS");
        for (let i = from; i < stack.length; i++) l.push(stack[i]);
        stack.length = from;
        break;
      }
      case SETITEM: {
        const v = pop("SETITEM");
        const k = pop("SETITEM");
        const d = dictOf(top("SETITEM"), "SETITEM");
        put(d, keyOf(k), v);
        stack[stack.length - 1] = finish(d);
        break;
      }
      case SETITEMS: {
        const from = popMark("SETITEMS");
        if (from === 0 || (marks.length > 0 && marks[marks.length - 1] >= from)) fail("SETITEMS with no dict below its MARK");
        const d = dictOf(stack[from - 1], "SETITEMS");
        setItems(d, from);
        stack[from - 1] = finish(d);
        break;
      }
      case MEMOIZE:
        remember(memoCount, top("MEMOIZE"));
        break;
      case BINPUT:
      case LONG_BINPUT: {
        let i: number;
        if (op === BINPUT) {
          need(1, "BINPUT");
          i = bytes[pos++];
        } else i = u32();
        // Python's picklers number memo entries 0, 1, 2, ...; a jump would let a file claim
        // gigabytes of memo, so indexes past the next free one are refused.
        if (i > memoCount) fail(`memo index ${i} skips ahead of the next free index ${memoCount}`);
        remember(i, top("PUT"));
        break;
      }
      case BINGET:
      case LONG_BINGET: {
        let i: number;
        if (op === BINGET) {
          need(1, "BINGET");
          i = bytes[pos++];
        } else i = u32();
        const v = memo.get(i);
        if (v === undefined) fail(`memo index ${i} was never stored`);
        stack.push(v as PickleValue);
        break;
      }
      default: {
        const name = EXECUTING[op];
        if (name !== undefined) {
          fail(`opcode ${name} (${hex(op)}) would import or call Python code; hbmscope never executes anything from a file and reads plain data only (dicts, lists, tuples, strings, numbers)`);
        }
        const old = TEXT_PROTOCOL[op];
        if (old !== undefined) fail(`opcode ${old} (${hex(op)}) of pickle protocol 0/1 is not supported; write the file with protocol 2 or newer`);
        fail(`unknown opcode ${hex(op)}; not a pickle, or a corrupt one`);
      }
    }
  }
}

/**
 * A bit set of the memo indexes a pickle reads (BINGET, LONG_BINGET), from a first pass that only
 * skips over arguments. It stops at the first opcode it does not know; the reading pass then
 * stops there too, with the error. Indexes beyond the bytes read so far cannot be valid (each
 * memo entry takes an opcode) and are left out, so the set stays within an eighth of the file.
 */
function memoReads(data: Uint8Array | ByteSource): Uint8Array {
  const windows = new ByteWindows(data);
  let bytes = windows.first(data);
  let n = bytes.length;
  let view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let base = 0;
  let bits = new Uint8Array(1024);
  let pos = 0;
  // Makes `k` bytes readable at `pos`; false at the end of the source.
  const more = (k: number): boolean => {
    if (n - pos >= k) return true;
    if (windows.ended) return false;
    const next = windows.extend(bytes.subarray(pos, n), k);
    base += pos;
    bytes = next;
    pos = 0;
    n = bytes.length;
    view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return n >= k;
  };
  // Skips `k` bytes (a string's or bytes' body) without gathering them.
  const skip = (k: number): boolean => {
    while (k > n - pos) {
      k -= n - pos;
      pos = n;
      if (!more(1)) return false;
    }
    pos += k;
    return true;
  };
  while (more(1)) {
    const op = bytes[pos++];
    const kind = ARG_KIND[op];
    if (kind >= 0) {
      if (!skip(kind)) break;
    } else if (kind === GET1 || kind === GET4) {
      if (!more(kind === GET1 ? 1 : 4)) break;
      const i = kind === GET1 ? bytes[pos] : view.getUint32(pos, true);
      pos += kind === GET1 ? 1 : 4;
      if (i < base + pos) {
        if (i >>> 3 >= bits.length) {
          const grown = new Uint8Array(Math.max(bits.length * 2, (i >>> 3) + 1));
          grown.set(bits);
          bits = grown;
        }
        bits[i >>> 3] |= 1 << (i & 7);
      }
    } else if (kind === LEN1 || kind === LEN4 || kind === LEN8) {
      const w = kind === LEN1 ? 1 : kind === LEN4 ? 4 : 8;
      if (!more(w)) break;
      const len = kind === LEN1 ? bytes[pos] : kind === LEN4 ? view.getUint32(pos, true) : Number(view.getBigUint64(pos, true));
      pos += w;
      if (!skip(len)) break;
    } else break; // STOP, or an opcode the reading pass will refuse
  }
  return bits;
}

// Argument kinds for the first pass: >= 0 a fixed number of bytes; negative: see below.
const GET1 = -2;
const GET4 = -3;
const LEN1 = -4;
const LEN4 = -5;
const LEN8 = -6;
const ARG_KIND = (() => {
  const k = new Int8Array(256).fill(-1);
  for (const op of [MARK, POP, POP_MARK, DUP, NONE, NEWTRUE, NEWFALSE, EMPTY_LIST, EMPTY_TUPLE, EMPTY_SET, EMPTY_DICT, LIST, TUPLE,
    FROZENSET, TUPLE1, TUPLE2, TUPLE3, DICT, APPEND, APPENDS, ADDITEMS, SETITEM, SETITEMS, MEMOIZE]) k[op] = 0;
  k[PROTO] = 1;
  k[BININT1] = 1;
  k[BINPUT] = 1;
  k[BININT2] = 2;
  k[BININT] = 4;
  k[LONG_BINPUT] = 4;
  k[FRAME] = 8;
  k[BINFLOAT] = 8;
  k[BINGET] = GET1;
  k[LONG_BINGET] = GET4;
  for (const op of [LONG1, SHORT_BINUNICODE, SHORT_BINBYTES]) k[op] = LEN1;
  for (const op of [LONG4, BINUNICODE, BINBYTES]) k[op] = LEN4;
  for (const op of [BINUNICODE8, BINBYTES8, BYTEARRAY8]) k[op] = LEN8;
  return k;
})();

/** Sets `d[key]`, also for the key `__proto__` (which must stay an own property, not a prototype). */
function put(d: { [key: string]: PickleValue }, key: string, value: PickleValue) {
  if (key === "__proto__") Object.defineProperty(d, key, { value, enumerable: true, writable: true, configurable: true });
  else d[key] = value;
}

function kindOf(v: PickleValue): string {
  if (v === null) return "None";
  if (Array.isArray(v)) return "list";
  if (v instanceof Uint8Array) return "bytes";
  if (typeof v === "object") return "dict";
  return typeof v;
}

/** Short pure-ASCII strings decode faster by hand than through TextDecoder; undefined if not ASCII. */
function ascii(bytes: Uint8Array, at: number, len: number): string | undefined {
  let s = "";
  for (let i = at; i < at + len; i++) {
    const c = bytes[i];
    if (c >= 0x80) return undefined;
    s += String.fromCharCode(c);
  }
  return s;
}

/** A little-endian two's-complement integer of `len` bytes: a number when safe, else a bigint. */
function littleEndianSigned(bytes: Uint8Array, at: number, len: number): number | bigint {
  if (len === 0) return 0;
  const negative = bytes[at + len - 1] >= 0x80;
  if (len <= 6 || (len <= 8 && !negative)) {
    // Exact in doubles while below 2^53 (each step is an integer below the final value).
    let v = 0;
    for (let i = len - 1; i >= 0; i--) v = v * 256 + bytes[at + i];
    if (len <= 6) return negative ? v - 2 ** (8 * len) : v;
    if (v <= Number.MAX_SAFE_INTEGER) return v;
  }
  let big = 0n;
  for (let i = len - 1; i >= 0; i--) big = (big << 8n) | BigInt(bytes[at + i]);
  if (negative) big -= 1n << BigInt(8 * len);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}
