const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** The end of the JSON number at `s[i]` (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?), or -1. */
export function jsonNumberEnd(s: string, i: number): number {
  let c = s.charCodeAt(i);
  if (c === MINUS) c = s.charCodeAt(++i);
  if (c === ZERO) c = s.charCodeAt(++i);
  else if (c > ZERO && c <= NINE) {
    while (c >= ZERO && c <= NINE) c = s.charCodeAt(++i);
  } else return -1;
  if (c === DOT) {
    c = s.charCodeAt(++i);
    if (!(c >= ZERO && c <= NINE)) return -1;
    while (c >= ZERO && c <= NINE) c = s.charCodeAt(++i);
  }
  if (c === 0x65 || c === 0x45) {
    c = s.charCodeAt(++i);
    if (c === 0x2b || c === MINUS) c = s.charCodeAt(++i);
    if (!(c >= ZERO && c <= NINE)) return -1;
    while (c >= ZERO && c <= NINE) c = s.charCodeAt(++i);
  }
  return i;
}
