import { describe, expect } from "vitest";
import { fc, it } from "@fast-check/vitest";
import { scanFlatObject, type ScannedObject } from "../../src/json/scanFlatObject.js";

const scan = (text: string, out: ScannedObject = { keys: [], values: [] }) => {
  const end = scanFlatObject(text, 0, out);
  return { end, keys: out.keys, values: out.values.slice(0, out.keys.length) };
};

/** What JSON.parse makes of the text: its keys and values in order. */
const parsed = (text: string) => {
  const o = JSON.parse(text) as Record<string, unknown>;
  return { keys: Object.keys(o), values: Object.values(o) };
};

const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.string(),
  fc.string({ unit: "binary", maxLength: 5 }),
  fc.constantFrom(true, false, null),
  fc.array(fc.oneof(fc.nat(), fc.double({ noNaN: true, noDefaultInfinity: true })), { maxLength: 4 }),
  fc.record({ a: fc.nat() }),
);
const flatObject = fc.dictionary(fc.oneof(fc.constantFrom("id", "bytes", "category", "shape", "__proto__"), fc.string({ maxLength: 6 })), value, { maxKeys: 6 });

describe("scanFlatObject", () => {
  it("scanFlatObject reads a buffer as JSON.stringify writes it", () => {
    const text = '{"id":3,"bytes":4096,"category":"weight","shape":[32,32],"kernelTemp":false,"dtype":null}';
    expect(scan(text)).toEqual({ end: text.length, ...parsed(text) });
  });

  it.prop([flatObject])("scanFlatObject reads what JSON.parse reads, or declines (-1)", (o) => {
    const text = JSON.stringify(o);
    const got = scan(text);
    if (got.end < 0) return;
    expect(got.end).toBe(text.length);
    expect({ keys: got.keys, values: got.values }).toEqual(parsed(text));
  });

  it.prop([flatObject, fc.nat(80), fc.string({ unit: fc.constantFrom(..."{}[]\",:0123456789.eE+- \\tfnul\u0001"), maxLength: 3 })])(
    "scanFlatObject never reads an edited object differently from JSON.parse",
    (o, at, insert) => {
      const written = JSON.stringify(o);
      const text = written.slice(0, at) + insert + written.slice(at);
      const got = scan(text);
      if (got.end < 0) return;
      expect({ keys: got.keys, values: got.values }).toEqual(parsed(text.slice(0, got.end)));
    },
  );

  it("scanFlatObject keeps the previous object's keys array when the keys repeat, and never changes it", () => {
    const out: ScannedObject = { keys: [], values: [] };
    scanFlatObject('{"id":1,"bytes":2}', 0, out);
    const first = out.keys;
    scanFlatObject('{"id":2,"bytes":3}', 0, out);
    expect(out.keys).toBe(first);
    scanFlatObject('{"id":2,"op":"x"}', 0, out);
    expect(out.keys).toEqual(["id", "op"]);
    expect(first).toEqual(["id", "bytes"]);
    scanFlatObject('{"id":2}', 0, out);
    expect(out.keys).toEqual(["id"]);
  });

  it("scanFlatObject declines nesting, escapes, white space, repeated keys and __proto__", () => {
    for (const text of ['{"a":{"b":1}}', '{"a":"x\\"y"}', '{"a": 1}', '{"a":1,"a":2}', '{"__proto__":1}', '{"a":[1,"x"]}', '{"a":1', '{"a":01}', '{"a":tru}']) {
      expect(scan(text).end, text).toBe(-1);
    }
  });
});
