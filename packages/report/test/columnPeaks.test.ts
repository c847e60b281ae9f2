import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { columnPeaks } from "../src/columnPeaks.js";

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
});
