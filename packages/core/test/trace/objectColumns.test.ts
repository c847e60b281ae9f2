import { describe, expect } from "vitest";
import { fc, it } from "@fast-check/vitest";
import { ObjectColumns } from "../../src/trace/objectColumns.js";

/** Plain JSON objects (as JSON.parse makes them), lists of numbers among their values. */
const row = fc
  .dictionary(fc.constantFrom("id", "bytes", "shape", "op", "x", "__proto__"), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 4 })), { maxKeys: 5 })
  .map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>);

describe("ObjectColumns", () => {
  it.prop([fc.array(row, { maxLength: 30 })])("ObjectColumns.get gives back every row added, equal and keys in order (lists of numbers kept in one typed array)", (rows) => {
    const columns = new ObjectColumns();
    rows.forEach((r) => columns.add(r));
    expect(columns.count).toBe(rows.length);
    rows.forEach((r, i) => {
      const got = columns.get(i);
      expect(Object.keys(got)).toEqual(Object.keys(r));
      expect(got).toEqual(r);
    });
  });

  it("ObjectColumns.add tells key orders apart whatever the keys hold: none from one empty key, keys with U+0000 from two keys", () => {
    const rows = [{ "": 1 }, {}, { "a\u0000b": 2 }, { a: 3, b: 4 }, {}, { "": 5 }];
    const columns = new ObjectColumns();
    rows.forEach((r) => columns.add(r));
    rows.forEach((r, i) => expect(columns.get(i)).toEqual(r));
    const byValues = new ObjectColumns();
    const empty: string[] = [];
    const one = [""];
    [[one, [1]], [empty, []], [one, [5]]].forEach(([keys, values]) => byValues.addValues(keys as string[], values));
    expect([0, 1, 2].map((i) => byValues.get(i))).toEqual([{ "": 1 }, {}, { "": 5 }]);
  });

  it("ObjectColumns.get hands out a new list each time, so a caller's edit does not reach the rows", () => {
    const columns = new ObjectColumns();
    columns.add({ shape: [2, 3] });
    (columns.get(0).shape as number[]).push(4);
    expect(columns.get(0)).toEqual({ shape: [2, 3] });
  });
});
