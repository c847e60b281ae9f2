/**
 * A file in pieces, for readers that must not hold a whole file: a function that returns the
 * file's chunks in order, from the start, each time it is called (a reader may make more than one
 * pass). In Node, e.g. a generator over `fs.readSync` of a few MiB at a time. A chunk is only read
 * until the next one is asked for, so a source may read every chunk into the same array. Chunks
 * may have any length, empty ones included.
 */
export type ByteSource = () => Iterable<Uint8Array>;

/**
 * One pass over a `ByteSource` (or over one array): hands out windows of contiguous bytes that
 * start with what the reader has not consumed yet. A window is a chunk itself when it can be
 * (no copy); only the few bytes of a value that straddles two chunks are copied, into a window of
 * just that value, after which the rest of the chunk is the next window.
 */
export class ByteWindows {
  private readonly chunks: Iterator<Uint8Array> | undefined;
  /** What is left of the chunk a straddling value was completed from. */
  private rest: Uint8Array | undefined;
  private done: boolean;

  constructor(data: Uint8Array | ByteSource) {
    this.chunks = typeof data === "function" ? data()[Symbol.iterator]() : undefined;
    this.done = this.chunks === undefined;
  }

  /** True once every byte of the source was handed out. */
  get ended(): boolean {
    return this.done && this.rest === undefined;
  }

  /** The first window (empty for an empty source); a whole array is its own window. */
  first(data: Uint8Array | ByteSource): Uint8Array {
    return typeof data === "function" ? this.extend(new Uint8Array(0), 1) : data;
  }

  /**
   * A window that starts with `tail` (the unread end of the last window) and holds at least
   * `need` bytes, or all that is left when the source ends first (the caller checks the length).
   * The last window must not be read after this call.
   */
  extend(tail: Uint8Array, need: number): Uint8Array {
    if (tail.length >= need || this.ended) return tail;
    if (tail.length === 0) {
      const chunk = this.next();
      if (chunk === undefined || chunk.length >= need) return chunk ?? tail;
      tail = chunk;
    }
    // A value straddles chunks: copy it out (the source may reuse the array the tail lies in).
    const parts: Uint8Array[] = [tail.slice()];
    let total = tail.length;
    while (total < need) {
      const chunk = this.next();
      if (chunk === undefined) break;
      const take = Math.min(chunk.length, need - total);
      parts.push(chunk.slice(0, take));
      total += take;
      if (take < chunk.length) this.rest = chunk.subarray(take);
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** The next non-empty chunk (or the rest of the last one); undefined at the end. */
  private next(): Uint8Array | undefined {
    if (this.rest !== undefined) {
      const r = this.rest;
      this.rest = undefined;
      return r;
    }
    while (!this.done) {
      const next = this.chunks!.next();
      if (next.done) {
        this.done = true;
        break;
      }
      const chunk = next.value;
      if (!(chunk instanceof Uint8Array)) throw new TypeError(`ByteSource: a chunk must be a Uint8Array, got ${chunk === null ? "null" : typeof chunk}`);
      if (chunk.length > 0) return chunk;
    }
    return undefined;
  }
}
