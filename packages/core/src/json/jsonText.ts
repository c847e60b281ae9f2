import type { ByteSource } from "../interop/byteSource.js";
import { ChunkDecoder } from "./chunkDecoder.js";

/**
 * JSON text decoded chunk by chunk from a `ByteSource` and read with a cursor, for readers that
 * must not hold a whole file (`readTraceSource`, JSON snapshots in `readTorchSnapshot`): values
 * are found by following nesting and strings, then parsed with `JSON.parse` (which checks them);
 * arrays can be read item by item (`items`, parsed in batches) or element by element (`arrayOf`).
 * What is behind the cursor is let go.
 */
export class JsonText {
  private readonly chunks: Iterator<Uint8Array>;
  private readonly decoder = new ChunkDecoder();
  private s = "";
  private i = 0;
  /** Characters let go before `s`'s start. */
  private base = 0;
  private ended = false;
  /** Where the value being read starts (kept when more text is read); -1 when none is. */
  private keep = -1;

  /** @param error makes the error thrown for text that is not JSON, from a message saying where. */
  constructor(source: ByteSource, private readonly error: (message: string) => Error) {
    this.chunks = source()[Symbol.iterator]();
  }

  /** Makes at least one more character readable (keeping the text from `keep` on); false at the end. */
  private more(): boolean {
    while (!this.ended) {
      const next = this.chunks.next();
      let add: string;
      if (next.done) {
        this.ended = true;
        add = this.decoder.decode(new Uint8Array(0), true);
      } else add = this.decoder.decode(next.value);
      if (add.length === 0) continue;
      const from = this.keep >= 0 ? this.keep : this.i;
      this.base += from;
      this.s = this.s.slice(from) + add;
      this.i -= from;
      if (this.keep >= 0) this.keep = 0;
      return true;
    }
    return false;
  }

  peek(): number {
    if (this.i >= this.s.length && !this.more()) return -1;
    return this.s.charCodeAt(this.i);
  }

  next(): number {
    const c = this.peek();
    if (c >= 0) this.i++;
    return c;
  }

  atEnd(): boolean {
    return this.peek() < 0;
  }

  skipSpace(): void {
    for (let c = this.peek(); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = this.peek()) this.i++;
  }

  fail(expected: string): never {
    const c = this.peek();
    const got = c < 0 ? "the end of the text" : JSON.stringify(String.fromCharCode(c));
    throw this.error(`not valid JSON (expected ${expected} at character ${this.base + this.i}, got ${got})`);
  }

  /** The next JSON value, parsed (`JSON.parse` of its text). */
  value(): unknown {
    this.keep = this.i;
    this.skipValue();
    const from = this.keep;
    this.keep = -1;
    try {
      return JSON.parse(this.s.slice(from, this.i));
    } catch (e) {
      throw this.error(`not valid JSON (${(e as Error).message} in the value at character ${this.base + from})`);
    }
  }

  /** Moves past the JSON value at the cursor without parsing it (nesting and strings followed, not checked). */
  skip(): void {
    this.skipValue();
  }

  /**
   * Moves past the JSON value that starts at the cursor: nesting and strings are followed, not
   * checked (`JSON.parse` checks the value's text afterwards).
   */
  private skipValue(): void {
    let depth = 0;
    let inString = false;
    let length = 0;
    while (true) {
      if (this.i >= this.s.length && !this.more()) {
        if (depth === 0 && !inString && length > 0) return;
        this.fail("a complete value");
      }
      const c = this.s.charCodeAt(this.i);
      if (inString) {
        if (c === 0x5c) {
          // A backslash: the next character is escaped (it may be in the next chunk).
          this.i++;
          if (this.i >= this.s.length && !this.more()) this.fail("a complete string");
        } else if (c === 0x22) inString = false;
        this.i++;
        length++;
        if (!inString && depth === 0) return;
        continue;
      }
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) return; // the end of the enclosing container
        if (--depth === 0) {
          this.i++;
          return;
        }
      } else if (depth === 0 && (c === 0x2c || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) return;
      this.i++;
      length++;
    }
  }

  /**
   * Reads an object at the cursor (the caller has checked it starts with "{"): for each key,
   * `each(key)` must read its value (any value) at the cursor.
   */
  objectOf(each: (key: string) => void): void {
    if (this.next() !== 0x7b) this.fail('"{"');
    this.skipSpace();
    if (this.peek() === 0x7d) {
      this.next();
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.peek() !== 0x22) this.fail("a key (a string)");
      const key = this.value() as string;
      this.skipSpace();
      if (this.next() !== 0x3a) this.fail('":"');
      this.skipSpace();
      each(key);
      this.skipSpace();
      const c = this.next();
      if (c === 0x7d) return;
      if (c !== 0x2c) this.fail('"," or "}"');
    }
  }

  /** Checks that nothing but white space follows. */
  end(): void {
    this.skipSpace();
    if (!this.atEnd()) this.fail("the end of the text");
  }

  /** Reads an array at the cursor; `each` must read one element (any value) at the cursor. */
  arrayOf(each: () => void): void {
    if (this.next() !== 0x5b) this.fail('"["');
    this.skipSpace();
    if (this.peek() === 0x5d) {
      this.next();
      return;
    }
    for (;;) {
      this.skipSpace();
      each();
      this.skipSpace();
      const c = this.next();
      if (c === 0x5d) return;
      if (c !== 0x2c) this.fail('"," or "]"');
    }
  }

  /**
   * Reads an array at the cursor, handing each item (parsed) and its index to `each`. Items are
   * parsed in batches (one `JSON.parse` of a few thousand items' text), since per-item calls cost
   * more than the parsing itself.
   *
   * `fast`, when given, is tried first at each item's start: it reads the item from the text
   * itself (`s` from index `at`; `index` is the item's) and returns the index after it, having
   * done with it what `each` would; or it returns -1 without doing anything, and that item and the
   * rest of its batch are read the usual way (then `fast` is tried again).
   */
  items(each: (item: unknown, index: number) => void, fast?: (s: string, at: number, index: number) => number): void {
    this.next(); // [
    this.skipSpace();
    if (this.peek() === 0x5d) {
      this.next();
      return;
    }
    let k = 0;
    let closed = false;
    // The fast way's separator (see `cutBatch`) and batch length in characters, once the first
    // batch (read the careful way) has shown what items look like.
    let needle = "";
    let target = 0;
    while (!closed) {
      this.skipSpace();
      if (fast !== undefined) {
        let read = false;
        for (;;) {
          // An item never spans more than what is kept ahead (else `fast` declines it).
          if (!this.ended && this.s.length - this.i < LOOKAHEAD) this.more();
          const end = fast(this.s, this.i, k);
          if (end < 0) break;
          k++;
          read = true;
          this.i = end;
          let c = this.s.charCodeAt(end);
          if (c !== 0x2c && c !== 0x5d) {
            this.skipSpace();
            c = this.next();
          } else this.i++;
          if (c === 0x5d) {
            closed = true;
            break;
          }
          if (c !== 0x2c) this.fail('"," or "]"');
          this.skipSpace();
        }
        if (closed) break;
        if (read) continue;
      }
      const cut = needle === "" ? null : this.cutBatch(needle, target);
      if (cut !== null) {
        for (const item of cut) each(item, k++);
        this.next(); // the "," before the next item (cutBatch stopped on it)
        continue;
      }
      // One batch: from the first item's start to the last one's end, separators included.
      this.keep = this.i;
      let inBatch = 0;
      // The batch's end, from `keep` (reading more text moves the text, and `keep` with it).
      let length = 0;
      while (inBatch < BATCH) {
        this.skipSpace();
        this.skipValue();
        length = this.i - this.keep;
        inBatch++;
        this.skipSpace();
        const c = this.next();
        if (c === 0x5d) {
          closed = true;
          break;
        }
        if (c !== 0x2c) this.fail('"," or "]"');
      }
      const from = this.keep;
      const text = this.s.slice(from, from + length);
      this.keep = -1;
      let batch: unknown[];
      try {
        batch = JSON.parse(`[${text}]`) as unknown[];
      } catch {
        batch = parseEach(text, this.base + from, this.error);
      }
      if (needle === "" && inBatch === BATCH) {
        // Objects whose text starts with a key ({"action": ...): the items' separator is "," then
        // that start, which nested objects (frames, with other keys) do not repeat.
        const m = /^\{"[A-Za-z_][\w]*":/.exec(text);
        if (m) {
          needle = `,${m[0]}`;
          target = length;
        }
      }
      for (const item of batch) each(item, k++);
    }
  }

  /**
   * The fast way to a batch of items, at the cursor (an item's start): the first `needle` (a comma
   * and the start every item's text shares) at least `target` characters on is taken for the end
   * of an item, and JSON.parse of the items before it checks that guess: a cut inside a string or
   * a nested value leaves a string or a bracket open, which JSON.parse refuses. Returns the parsed
   * items with the cursor on the comma, or null (cursor unmoved) where the guess fails or no
   * needle comes within 4 batches' length: the careful way then reads that batch.
   */
  private cutBatch(needle: string, target: number): unknown[] | null {
    this.keep = this.i;
    let at = -1;
    for (;;) {
      at = this.s.indexOf(needle, this.keep + target);
      // Near the array's end the needle may not come again: look no further than 4 batches on.
      if (at >= 0 || this.s.length - this.keep > 4 * target || !this.more()) break;
    }
    const from = this.keep;
    this.keep = -1;
    if (at < 0 || at - from > 4 * target) {
      this.i = from;
      return null;
    }
    let batch: unknown;
    try {
      batch = JSON.parse(`[${this.s.slice(from, at)}]`);
    } catch {
      this.i = from;
      return null;
    }
    this.i = at;
    return batch as unknown[];
  }
}

/** Items of a batch that did not parse as a whole, one by one, to name the one that is wrong. */
function parseEach(text: string, at: number, error: (message: string) => Error): unknown[] {
  // Offsets in messages are made relative to the whole text: `at` is where `text` starts, less
  // the "[" put before it.
  const inner = new JsonText(() => [new TextEncoder().encode(`[${text}]`)], (message) => error(message.replace(/ at character (\d+)/, (_, n) => ` at character ${Number(n) - 1 + at}`)));
  const out: unknown[] = [];
  inner.next();
  for (;;) {
    inner.skipSpace();
    out.push(inner.value());
    inner.skipSpace();
    if (inner.next() !== 0x2c) return out;
  }
}

/** Items parsed per `JSON.parse` call. */
const BATCH = 4096;
/** Characters kept ahead of the cursor while `items` reads with its `fast` reader. */
const LOOKAHEAD = 1 << 16;
