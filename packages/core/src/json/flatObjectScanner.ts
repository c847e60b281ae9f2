import { hasAt } from "./hasAt.js";
import { jsonNumberEnd } from "./jsonNumberEnd.js";

/** The keys of an object `FlatObjectScanner` read, in their order (one object per distinct order). */
export interface FlatKeyOrder {
  /** The keys, in the text's order (the same array every time this order is read). */
  readonly keys: string[];
  /** Numbers the orders of one scanner 0, 1, 2, ... as they are first seen. */
  readonly id: number;
  /** Each key's text with what comes before it: `{"id":` for the first, `,"bytes":` for the others. */
  readonly texts: string[];
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_ARRAY = 0x5d;
const OPEN = 0x7b;
const CLOSE = 0x7d;

/** Distinct key orders one scanner learns; objects of further orders are declined. */
const MAX_ORDERS = 256;

/**
 * Reads flat JSON objects as `JSON.stringify` writes them (no white space), such as a trace's
 * buffers, `{"id":0,"bytes":512,"category":"weight","shape":[128],"op":"param"}`, without
 * JSON.parse and without making an object: the values land in `values` (by the key's position in
 * `order.keys`), ready for `ObjectColumns.addValues`. A value may be a string without escapes, a
 * number, `true`, `false`, `null` or an array of numbers (a new array); anything else (nested
 * objects, escapes, white space, a key given twice, text that ends, more than 256 key orders) is
 * declined, and the caller reads that object with JSON.parse. What it reads, it reads as JSON.parse
 * does: numbers by JSON's grammar, converted exactly (`Number` of the text past 15 digits), and
 * strings refused where JSON refuses them (a raw control character). Objects that repeat the last
 * key order, or the one before it, as a trace's buffers do, cost one comparison per key.
 */
export class FlatObjectScanner {
  /** The values of the last object read, by key position (entries past its key count are stale). */
  readonly values: unknown[] = [];
  /** The key order of the last object read; undefined before the first. */
  order: FlatKeyOrder | undefined;
  /** The key order read before `order`, when they differ (objects often alternate between two). */
  private previous: FlatKeyOrder | undefined;
  private readonly orders = new Map<string, FlatKeyOrder>();
  private readonly keysRead: string[] = [];
  /** The number the last `number` call read. */
  private num = 0;

  /**
   * Reads the object at `s[at]` into `values` and `order`; returns the index after its closing
   * brace, or -1 (leaving `values` and `order` in any state) for what it declines.
   */
  scan(s: string, at: number): number {
    const last = this.order;
    if (last !== undefined) {
      let end = this.scanAs(s, at, last);
      if (end >= 0) return end;
      const previous = this.previous;
      if (previous !== undefined) {
        end = this.scanAs(s, at, previous);
        if (end >= 0) {
          this.previous = last;
          this.order = previous;
          return end;
        }
      }
    }
    return this.scanAny(s, at);
  }

  /** The object at `s[at]` if its keys are exactly `order`'s. */
  private scanAs(s: string, at: number, order: FlatKeyOrder): number {
    const texts = order.texts;
    let i = at;
    for (let j = 0; j < texts.length; j++) {
      const text = texts[j];
      if (!hasAt(s, i, text)) return -1;
      i = this.value(s, i + text.length, j);
      if (i < 0) return -1;
    }
    if (texts.length === 0) {
      if (s.charCodeAt(i) !== OPEN) return -1;
      i++;
    }
    return s.charCodeAt(i) === CLOSE ? i + 1 : -1;
  }

  /** The object at `s[at]`, whatever its keys. */
  private scanAny(s: string, at: number): number {
    if (s.charCodeAt(at) !== OPEN) return -1;
    const keys = this.keysRead;
    keys.length = 0;
    let i = at + 1;
    if (s.charCodeAt(i) !== CLOSE) {
      for (;;) {
        if (s.charCodeAt(i) !== QUOTE) return -1;
        const end = stringEnd(s, i + 1);
        if (end < 0 || s.charCodeAt(end + 1) !== COLON) return -1;
        keys.push(s.slice(i + 1, end));
        i = this.value(s, end + 2, keys.length - 1);
        if (i < 0) return -1;
        const c = s.charCodeAt(i);
        if (c === CLOSE) break;
        if (c !== COMMA) return -1;
        i++;
      }
    }
    const order = this.orderOf(keys);
    if (order === undefined) return -1;
    if (order !== this.order) {
      this.previous = this.order;
      this.order = order;
    }
    return i + 1;
  }

  /** The order of these keys (learnt if new); undefined for a key given twice, or too many orders. */
  private orderOf(keys: string[]): FlatKeyOrder | undefined {
    // A key read here holds no control character, so U+0000 cannot be part of one; the count tells
    // no keys from one empty key.
    const signature = `${keys.length}\u0000${keys.join("\u0000")}`;
    let order = this.orders.get(signature);
    if (order === undefined) {
      if (new Set(keys).size !== keys.length || this.orders.size >= MAX_ORDERS) return undefined;
      const own = keys.slice();
      order = { keys: own, id: this.orders.size, texts: own.map((k, j) => `${j === 0 ? "{" : ","}"${k}":`) };
      this.orders.set(signature, order);
    }
    return order;
  }

  /** Reads the value at `s[i]` into `values[j]`; returns the index after it, or -1. */
  private value(s: string, i: number, j: number): number {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(s, i + 1);
      if (end < 0) return -1;
      this.values[j] = s.slice(i + 1, end);
      return end + 1;
    }
    if ((c >= ZERO && c <= NINE) || c === MINUS) {
      const end = this.number(s, i);
      if (end >= 0) this.values[j] = this.num;
      return end;
    }
    if (c === OPEN_ARRAY) return this.numbers(s, i + 1, j);
    if (c === 0x74 && hasAt(s, i, "true")) {
      this.values[j] = true;
      return i + 4;
    }
    if (c === 0x66 && hasAt(s, i, "false")) {
      this.values[j] = false;
      return i + 5;
    }
    if (c === 0x6e && hasAt(s, i, "null")) {
      this.values[j] = null;
      return i + 4;
    }
    return -1;
  }

  /** An array of numbers from `s[i]` (just after its "["), into `values[j]`. */
  private numbers(s: string, i: number, j: number): number {
    const list: number[] = [];
    if (s.charCodeAt(i) === CLOSE_ARRAY) {
      this.values[j] = list;
      return i + 1;
    }
    for (;;) {
      i = this.number(s, i);
      if (i < 0) return -1;
      list.push(this.num);
      const c = s.charCodeAt(i);
      if (c === CLOSE_ARRAY) break;
      if (c !== COMMA) return -1;
      i++;
    }
    this.values[j] = list;
    return i + 1;
  }

  /**
   * The JSON number at `s[i]` into `num`; returns its end, or -1. Whole numbers of up to 15 digits
   * are read here, exactly; any other by `Number` of its text (which rounds as JSON.parse does).
   */
  private number(s: string, i: number): number {
    const from = i;
    const negative = s.charCodeAt(i) === MINUS;
    if (negative) i++;
    const digitsFrom = i;
    let v = 0;
    let c = s.charCodeAt(i);
    while (c >= ZERO && c <= NINE) {
      v = v * 10 + (c - ZERO);
      c = s.charCodeAt(++i);
    }
    const digits = i - digitsFrom;
    if (digits > 0 && digits <= 15 && (digits === 1 || s.charCodeAt(digitsFrom) !== ZERO) && c !== 0x2e && c !== 0x65 && c !== 0x45) {
      this.num = negative ? -v : v;
      return i;
    }
    const end = jsonNumberEnd(s, from);
    if (end < 0) return -1;
    this.num = Number(s.slice(from, end));
    return end;
  }
}

/**
 * The index of the quote that closes the string whose text starts at `s[i]`, or -1 where it has a
 * backslash (an escape: left to JSON.parse), a control character (which JSON refuses) or no end.
 */
function stringEnd(s: string, i: number): number {
  const n = s.length;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c < 0x20 || c === BACKSLASH) return -1;
  }
  return -1;
}
