import { jsonNumberEnd } from "./jsonNumberEnd.js";

/** What `scanFlatObject` read: the object's keys in order and their values. */
export interface ScannedObject {
  /** The keys; the same array as the previous object's when they are the same keys in the same order. */
  keys: string[];
  /** `values[j]` is the value of `keys[j]` (only the first `keys.length` count). */
  values: unknown[];
}

const ZERO = 0x30;
const NINE = 0x39;

/**
 * Reads one flat JSON object at `s[at]` without JSON.parse: keys and strings without escapes,
 * numbers, `true`, `false`, `null` and arrays of numbers, no white space (as JSON.stringify writes
 * a trace's buffers). Fills `out` and returns the index after the closing brace, or -1 (leaving
 * `out` in any state) for anything else, which the caller then reads with JSON.parse: nested
 * objects, escapes, control characters, white space, a repeated key or `__proto__` (JSON.parse
 * gives those a meaning of their own), the text ending. The values are those JSON.parse gives.
 */
export function scanFlatObject(s: string, at: number, out: ScannedObject): number {
  if (s.charCodeAt(at) !== 0x7b) return -1;
  let i = at + 1;
  if (s.charCodeAt(i) === 0x7d) {
    if (out.keys.length !== 0) out.keys = [];
    return i + 1;
  }
  const previous = out.keys;
  let keys = previous;
  let n = 0;
  for (;;) {
    // A key: a string without escapes.
    if (s.charCodeAt(i) !== 0x22) return -1;
    const end = stringEnd(s, i + 1);
    if (end < 0 || s.charCodeAt(end + 1) !== 0x3a) return -1;
    if (keys === previous && !(n < previous.length && previous[n].length === end - i - 1 && s.slice(i + 1, end) === previous[n])) {
      keys = previous.slice(0, n);
    }
    if (keys !== previous) {
      const key = s.slice(i + 1, end);
      if (key === "__proto__" || keys.includes(key)) return -1;
      keys.push(key);
    }
    i = end + 2;
    // The value.
    const c = s.charCodeAt(i);
    let value: unknown;
    if (c === 0x22) {
      const e = stringEnd(s, i + 1);
      if (e < 0) return -1;
      value = s.slice(i + 1, e);
      i = e + 1;
    } else if (c === 0x5b) {
      const list: number[] = [];
      i++;
      if (s.charCodeAt(i) === 0x5d) i++;
      else {
        for (;;) {
          const e = jsonNumberEnd(s, i);
          if (e < 0) return -1;
          list.push(numberAt(s, i, e));
          i = e;
          const d = s.charCodeAt(i++);
          if (d === 0x5d) break;
          if (d !== 0x2c) return -1;
        }
      }
      value = list;
    } else if (c === 0x74 && s.startsWith("true", i)) {
      value = true;
      i += 4;
    } else if (c === 0x66 && s.startsWith("false", i)) {
      value = false;
      i += 5;
    } else if (c === 0x6e && s.startsWith("null", i)) {
      value = null;
      i += 4;
    } else {
      const e = jsonNumberEnd(s, i);
      if (e < 0) return -1;
      value = numberAt(s, i, e);
      i = e;
    }
    out.values[n++] = value;
    const d = s.charCodeAt(i++);
    if (d === 0x7d) break;
    if (d !== 0x2c) return -1;
  }
  if (keys === previous && n !== previous.length) keys = previous.slice(0, n);
  out.keys = keys;
  return i;
}

/** The index of the quote that ends a string whose text starts at `i`; -1 at an escape, a control character or the end. */
function stringEnd(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 0x22) return i;
    // A backslash, a control character (JSON forbids them raw), or NaN past the end.
    if (!(c >= 0x20) || c === 0x5c) return -1;
    i++;
  }
}

/** The JSON number `s[from, end)`: whole numbers of up to 15 digits added up exactly, others by `Number`. */
function numberAt(s: string, from: number, end: number): number {
  if (end - from > 15) return Number(s.slice(from, end));
  let v = 0;
  for (let i = from; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < ZERO || c > NINE) return Number(s.slice(from, end));
    v = v * 10 + (c - ZERO);
  }
  return v;
}
