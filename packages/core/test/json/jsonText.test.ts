import { describe, expect } from "vitest";
import { fc, it } from "@fast-check/vitest";
import { JsonText } from "../../src/json/jsonText.js";

/** The text in chunks of the given sizes (cycled), as UTF-8 bytes. */
const source = (text: string, sizes: number[]) => () => {
  const bytes = new TextEncoder().encode(text);
  const out: Uint8Array[] = [];
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const n = sizes[k % sizes.length];
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
};

const error = (message: string) => new Error(message);

/** Items that look alike (every one starts with {"a":), with strings and nested objects that repeat the separator. */
const item = fc.oneof(
  fc.record({ a: fc.integer(), b: fc.constantFrom(',{"a":1}', "x", '"},{"a":', "\\") }),
  fc.record({ a: fc.constant(",{\"a\":"), nested: fc.array(fc.record({ a: fc.integer() }), { maxLength: 3 }) }),
  fc.record({ a: fc.array(fc.record({ a: fc.string({ maxLength: 4 }) }), { maxLength: 2 }) }),
);

describe("JsonText", () => {
  it.prop([fc.array(item, { minLength: 4000, maxLength: 14000 }), fc.array(fc.integer({ min: 1, max: 70000 }), { minLength: 1, maxLength: 4 }), fc.boolean()], { numRuns: 12 })(
    "JsonText.items gives the items JSON.parse gives, for long arrays in any chunking (separators inside strings and nested objects included)",
    (items, sizes, indented) => {
      const text = indented ? JSON.stringify({ list: items }, null, 1) : JSON.stringify({ list: items });
      const reader = new JsonText(source(text, sizes), error);
      const got: unknown[] = [];
      reader.objectOf(() => reader.items((x, k) => {
        expect(k).toBe(got.length);
        got.push(x);
      }));
      reader.end();
      expect(got).toEqual(items);
    },
  );

  it("JsonText.items names a broken item far into a long array", () => {
    const items = Array.from({ length: 20000 }, (_, i) => JSON.stringify({ a: i, s: "x" }));
    items[15000] = '{"a":15000,"s":x}';
    const text = `[${items.join(",")}]`;
    const reader = new JsonText(source(text, [65536]), error);
    expect(() => reader.items(() => {})).toThrow(/not valid JSON/);
  });

  it("JsonText.items stops at the array's end when the same start follows it", () => {
    const list = Array.from({ length: 9000 }, (_, i) => ({ a: i }));
    const text = `[${JSON.stringify(list)},{"a":1},{"a":2}]`;
    const reader = new JsonText(source(text, [1 << 20]), error);
    const got: unknown[] = [];
    reader.arrayOf(() => {
      if (reader.peek() === 0x5b) reader.items((x) => got.push(x));
      else got.push(reader.value());
    });
    expect(got).toEqual([...list, { a: 1 }, { a: 2 }]);
  });

  it.prop([fc.array(item, { minLength: 1, maxLength: 9000 }), fc.array(fc.integer({ min: 1, max: 70000 }), { minLength: 1, maxLength: 4 }), fc.boolean()], { numRuns: 12 })(
    "JsonText.items with a fast reader gives every item once, in order, whether the fast reader or JSON.parse read it",
    (items, sizes, indented) => {
      const text = indented ? JSON.stringify({ list: items }, null, 1) : JSON.stringify({ list: items });
      const reader = new JsonText(source(text, sizes), error);
      const got: unknown[] = [];
      // Reads only items written {"a":<integer>,"b":"x"}; declines the rest.
      const plain = /^\{"a":(-?\d+),"b":"x"\}/;
      const fast = (s: string, at: number, k: number) => {
        const m = plain.exec(s.slice(at, at + 64));
        if (!m) return -1;
        expect(k).toBe(got.length);
        got.push({ a: Number(m[1]), b: "x" });
        return at + m[0].length;
      };
      reader.objectOf(() =>
        reader.items((x, k) => {
          expect(k).toBe(got.length);
          got.push(x);
        }, fast),
      );
      reader.end();
      expect(got).toEqual(items);
    },
  );

  it("JsonText.items with a fast reader still refuses a broken separator after an item it read", () => {
    const reader = new JsonText(source('[{"a":1} {"a":2}]', [5]), error);
    expect(() => reader.items(() => {}, (s, at) => (s.startsWith('{"a":1}', at) ? at + 7 : -1))).toThrow(/expected "," or "\]"/);
  });
});
