import { describe, expect } from "vitest";
import { fc, it } from "@fast-check/vitest";
import { FlatObjectScanner } from "../../src/json/flatObjectScanner.js";

/** What the scanner read, as an object (keys in its order), or null where it declined. */
function read(scanner: FlatObjectScanner, text: string, at = 0): { end: number; object: Record<string, unknown> } | null {
  const end = scanner.scan(text, at);
  if (end < 0) return null;
  const object: Record<string, unknown> = {};
  scanner.order!.keys.forEach((key, j) => Object.defineProperty(object, key, { value: scanner.values[j], enumerable: true, writable: true, configurable: true }));
  return { end, object };
}

/** Values a flat object holds: strings (any text), numbers JSON writes, booleans, null, lists of numbers. */
const number = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const flatValue = fc.oneof(fc.string({ unit: "grapheme" }), number, fc.boolean(), fc.constant(null), fc.array(number, { maxLength: 4 }));
const flatObject = fc.dictionary(fc.string({ unit: "grapheme", maxLength: 8 }), flatValue, { maxKeys: 6 });

/** Deep equality where numbers are equal by Object.is (-0 is not 0). */
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => same(v, b[i]));
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return same(ka, kb) && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

describe("FlatObjectScanner", () => {
  it("FlatObjectScanner.scan reads a flat object as JSON.stringify writes it, and says where it ends", () => {
    const scanner = new FlatObjectScanner();
    const text = 'x{"id":3,"bytes":512,"shape":[2,-0,1.5e3],"ok":true,"no":null,"op":"matmul"},';
    expect(read(scanner, text, 1)).toEqual({ end: text.length - 1, object: { id: 3, bytes: 512, shape: [2, -0, 1500], ok: true, no: null, op: "matmul" } });
    expect(Object.is((scanner.values[2] as number[])[1], -0)).toBe(true);
    expect(read(scanner, "{}")).toEqual({ end: 2, object: {} });
  });

  it.prop([fc.array(flatObject, { minLength: 1, maxLength: 5 })])(
    "FlatObjectScanner.scan reads every flat object JSON.stringify writes exactly as JSON.parse does, one after another",
    (objects) => {
      const scanner = new FlatObjectScanner();
      for (const o of objects) {
        const text = JSON.stringify(o);
        const got = read(scanner, text);
        // Only keys or strings with escapes (quotes, backslashes, control characters) are declined.
        if (got === null) {
          expect(/\\/.test(text)).toBe(true);
          continue;
        }
        expect(got.end).toBe(text.length);
        expect(same(got.object, JSON.parse(text))).toBe(true);
      }
    },
  );

  it.prop([flatObject, fc.nat(80), fc.string({ unit: fc.constantFrom(..."{}[]\",:0123456789.eE+- \\\ttrufalsn"), maxLength: 3 })])(
    "FlatObjectScanner.scan never reads an edited object differently from JSON.parse: it declines (-1) what is not JSON or not flat",
    (o, at, insert) => {
      const written = JSON.stringify(o);
      const text = written.slice(0, at) + insert + written.slice(at);
      const scanner = new FlatObjectScanner();
      // Learn the object's own key order first, so the edit meets the fast way too.
      read(scanner, written);
      const got = read(scanner, text);
      if (got === null) return;
      const parsed = JSON.parse(text.slice(0, got.end));
      expect(same(got.object, parsed)).toBe(true);
    },
  );

  it("FlatObjectScanner.scan declines nested objects, escapes, raw control characters, white space, a key given twice and text that ends", () => {
    const scanner = new FlatObjectScanner();
    for (const text of ['{"a":{"b":1}}', '{"a":[[1]]}', '{"a":["x"]}', '{"a":"\\n"}', '{"a":"\t"}', '{"a": 1}', '{"a":1,"a":2}', '{"a":01}', '{"a":1', '{"a":"x', '{"a":tru}', '{"a":-}', '{"a":1.}', '[1]']) {
      expect(scanner.scan(text, 0), text).toBe(-1);
    }
  });

  it("FlatObjectScanner.scan learns at most 256 key orders, then declines new ones", () => {
    const scanner = new FlatObjectScanner();
    for (let k = 0; k < 256; k++) expect(scanner.scan(`{"k${k}":1}`, 0)).toBeGreaterThan(0);
    expect(scanner.scan('{"another":1}', 0)).toBe(-1);
    expect(scanner.scan('{"k7":2}', 0)).toBe(8);
  });
});
