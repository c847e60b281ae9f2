/**
 * A growable byte buffer for pickle writers (`writePickle`, and the benchmark's streaming snapshot
 * writer): little-endian integers, big-endian doubles (as pickle's BINFLOAT wants them).
 */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private n = 0;

  constructor(capacity = 1 << 16) {
    this.buf = new Uint8Array(Math.max(16, capacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.n;
  }

  private room(k: number) {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  byte(b: number): this {
    this.room(1);
    this.buf[this.n++] = b;
    return this;
  }
  u32(v: number): this {
    this.room(4);
    this.view.setUint32(this.n, v, true);
    this.n += 4;
    return this;
  }
  u64(v: number): this {
    this.room(8);
    this.view.setBigUint64(this.n, BigInt(v), true);
    this.n += 8;
    return this;
  }
  i32(v: number): this {
    this.room(4);
    this.view.setInt32(this.n, v, true);
    this.n += 4;
    return this;
  }
  f64(v: number): this {
    this.room(8);
    this.view.setFloat64(this.n, v, false);
    this.n += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
    return this;
  }
  /** What was written, without copying: valid until the next write or `clear()`. */
  written(): Uint8Array {
    return this.buf.subarray(0, this.n);
  }
  /** What was written, as a copy of its own. */
  result(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
  /** Empties the buffer (keeps its memory). */
  clear(): void {
    this.n = 0;
  }
}

// Opcodes, from CPython Lib/pickle.py.
const BININT = 0x4a;
const BININT1 = 0x4b;
const BININT2 = 0x4d;
const BINFLOAT = 0x47;
const LONG1 = 0x8a;
const LONG4 = 0x8b;

/**
 * A number as CPython's pickler writes it (`save_long`, `save_float`): safe integers as BININT1,
 * BININT2, BININT or LONG1; anything else (fractions, -0, NaN, infinities, and whole doubles beyond
 * 2^53, which lost their low digits) as BINFLOAT.
 */
export function writePickleNumber(out: ByteWriter, v: number): void {
  if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
    if (v >= 0 && v < 256) out.byte(BININT1).byte(v);
    else if (v >= 0 && v < 65536) out.byte(BININT2).byte(v & 0xff).byte(v >> 8);
    else if (v >= -0x80000000 && v <= 0x7fffffff) out.byte(BININT).i32(v);
    else {
      // LONG1 in doubles: exact below 2^53, and no BigInt per number.
      const le: number[] = [];
      let x = v;
      while (true) {
        const b = ((x % 256) + 256) % 256;
        le.push(b);
        x = Math.floor(x / 256);
        if ((x === 0 && b < 0x80) || (x === -1 && b >= 0x80)) break;
      }
      out.byte(LONG1).byte(le.length);
      for (const b of le) out.byte(b);
    }
    return;
  }
  out.byte(BINFLOAT).f64(v);
}

/** An integer of any width as LONG1 / LONG4: the shortest little-endian two's complement (Python `encode_long`). */
export function writePickleLong(out: ByteWriter, v: bigint): void {
  const le: number[] = [];
  let x = v;
  while (true) {
    const b = Number(x & 0xffn);
    le.push(b);
    x >>= 8n;
    if ((x === 0n && b < 0x80) || (x === -1n && b >= 0x80)) break;
  }
  if (le.length > 255) out.byte(LONG4).u32(le.length);
  else out.byte(LONG1).byte(le.length);
  for (const b of le) out.byte(b);
}
