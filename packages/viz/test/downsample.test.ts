import { describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { minMaxBuckets } from "../src/index.js";

describe("minMaxBuckets", () => {
  test.prop([fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 500 }), fc.integer({ min: 1, max: 50 })])(
    "minMaxBuckets() keeps each bucket's min and max, the ends, in order, at most 2 per bucket",
    (values, perBucket) => {
      const column = (i: number) => Math.floor(i / perBucket);
      const idx = Array.from(minMaxBuckets(values, column));
      expect(idx[0]).toBe(0);
      expect(idx.at(-1)).toBe(values.length - 1);
      for (let k = 1; k < idx.length; k++) expect(idx[k]).toBeGreaterThan(idx[k - 1]);
      const buckets = Math.ceil(values.length / perBucket);
      expect(idx.length).toBeLessThanOrEqual(2 * buckets + 2);
      for (let c = 0; c < buckets; c++) {
        const slice = values.slice(c * perBucket, (c + 1) * perBucket);
        const kept = idx.filter((i) => column(i) === c).map((i) => values[i]);
        expect(Math.max(...kept)).toBe(Math.max(...slice));
        expect(Math.min(...kept)).toBe(Math.min(...slice));
      }
    },
  );

  test.prop([fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 0 })])("minMaxBuckets() of nothing is empty", (values) => {
    expect(minMaxBuckets(values, () => 0).length).toBe(0);
  });
});
