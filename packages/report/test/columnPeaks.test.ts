import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { blockPeaks, columnPeaks } from "../src/columnPeaks.js";

describe("columnPeaks", () => {
  it("columnPeaks() keeps the highest of the events each column covers", () => {
    expect(Array.from(columnPeaks([1, 9, 2, 3, 8, 4], 0, 6, 2))).toEqual([1, 4]);
  });
  it("columnPeaks() steps when columns are narrower than events, and marks columns past the data with -1", () => {
    expect(Array.from(columnPeaks([5, 6], 0, 4, 4))).toEqual([0, 1, -1, -1]);
  });
  test.prop([fc.array(fc.nat(), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 50 })])(
    "columnPeaks() over the whole series never loses the peak",
    (values, columns) => {
      const cols = Array.from(columnPeaks(values, 0, values.length, columns)).filter((i) => i >= 0);
      expect(Math.max(...cols.map((i) => values[i]))).toBe(Math.max(...values));
    },
  );
  test.prop([fc.array(fc.nat({ max: 20 }), { minLength: 1, maxLength: 2000 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 16 }), fc.double({ min: -10, max: 100, noNaN: true })])(
    "columnPeaks() with blockPeaks() picks the same events as without",
    (values, columns, size, from) => {
      const to = from + values.length * 0.9;
      const fast = columnPeaks(values, from, to, columns, { peaks: blockPeaks(values, size), size });
      expect(Array.from(fast)).toEqual(Array.from(columnPeaks(values, from, to, columns)));
    },
  );
});
