import { hasAt } from "./hasAt.js";
import { jsonNumberEnd } from "./jsonNumberEnd.js";

/** What `scanTraceEvent` read: an event's fields (`time` NaN when the event has none). */
export interface ScannedEvent {
  kind: "alloc" | "free";
  buffer: number;
  time: number;
}

const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;

// The text an event starts with, as `serializeTrace` writes it (JSON.stringify: keys in this
// order, no white space).
const ALLOC = '{"kind":"alloc","buffer":';
const FREE = '{"kind":"free","buffer":';
const TIME = ',"time":';
/** Where the kind's first letter is. */
const KIND_AT = '{"kind":"'.length;

/**
 * Reads one trace event at `s[at]` written exactly as hbmscope writes them,
 * `{"kind":"alloc","buffer":12,"time":3.5}` (`time` optional), without JSON.parse: for the
 * millions of events of a large trace, building an object per event costs more than all the rest
 * of reading it. Fills `out` and returns the index after the closing brace; returns -1, leaving
 * `out` in any state, for anything else (other key orders, white space, escapes, a number JSON
 * would read differently, the text ending): the caller then reads that event with JSON.parse.
 * The numbers are JSON's: a buffer id of up to 15 digits (read exactly), a time by the JSON
 * number grammar, converted with `Number` (which rounds a decimal as JSON.parse does).
 */
export function scanTraceEvent(s: string, at: number, out: ScannedEvent): number {
  let i: number;
  const first = s.charCodeAt(at + KIND_AT);
  if (first === 0x61 && hasAt(s, at, ALLOC)) {
    out.kind = "alloc";
    i = at + ALLOC.length;
  } else if (first === 0x66 && hasAt(s, at, FREE)) {
    out.kind = "free";
    i = at + FREE.length;
  } else return -1;
  // The buffer id: a non-negative integer without leading zeros.
  const start = i;
  let buffer = 0;
  let c = s.charCodeAt(i);
  while (c >= ZERO && c <= NINE) {
    buffer = buffer * 10 + (c - ZERO);
    c = s.charCodeAt(++i);
  }
  const digits = i - start;
  if (digits === 0 || digits > 15 || (digits > 1 && s.charCodeAt(start) === ZERO)) return -1;
  out.buffer = buffer;
  out.time = NaN;
  if (c === COMMA) {
    if (!hasAt(s, i, TIME)) return -1;
    i += TIME.length;
    // A whole number of up to 15 digits is read here, exactly; any other number by Number().
    const from = i;
    let time = 0;
    c = s.charCodeAt(i);
    while (c >= ZERO && c <= NINE) {
      time = time * 10 + (c - ZERO);
      c = s.charCodeAt(++i);
    }
    if (c === 0x7d && i > from && i - from <= 15 && (i - from === 1 || s.charCodeAt(from) !== ZERO)) out.time = time;
    else {
      const end = jsonNumberEnd(s, from);
      if (end < 0) return -1;
      out.time = Number(s.slice(from, end));
      i = end;
      c = s.charCodeAt(i);
    }
  }
  return c === 0x7d ? i + 1 : -1;
}
