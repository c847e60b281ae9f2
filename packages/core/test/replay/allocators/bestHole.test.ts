import { describe, expect } from "vitest";
import { fc, it } from "@fast-check/vitest";
import { bestHole } from "../../../src/replay/allocators/bestHole.js";

/**
 * A sorted disjoint list of intervals in [0, 64) (touching ones merged), from a set of cells, each
 * used with a probability drawn per list (sparse lists leave holes of many sizes in the union).
 */
const list = fc
  .tuple(fc.integer({ min: 0, max: 10 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 64, maxLength: 64 }))
  .map(([density, cells]) => {
    const out: number[] = [];
    for (let x = 0; x < 64; x++) {
      if (cells[x] >= density) continue;
      if (out.length > 0 && out[out.length - 1] === x) out[out.length - 1] = x + 1;
      else out.push(x, x + 1);
    }
    return out;
  });

describe("bestHole", () => {
  it.prop([list, list, list, fc.integer({ min: 0, max: 5 }), fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 70 }))])(
    "bestHole picks the smallest gap of the union that fits, the lowest of equal ones, else the top",
    (a, b, c, pad, need) => {
      // The union cell by cell, then its gaps from 0 directly.
      const used = new Array(64).fill(false);
      for (const l of [a, b, c]) for (let j = 0; j < l.length; j += 2) for (let x = l[j]; x < l[j + 1]; x++) used[x] = true;
      let top = 0;
      for (let x = 0; x < 64; x++) if (used[x]) top = x + 1;
      let expected = -1;
      let bestGap = Infinity;
      for (let x = 0; x < top; ) {
        if (used[x]) {
          x++;
          continue;
        }
        let y = x;
        while (!used[y]) y++;
        if (y - x >= need && y - x < bestGap) [expected, bestGap] = [x, y - x];
        x = y;
      }
      if (expected < 0) expected = top;
      // b and c are read from an offset, with numbers around them that are not their own.
      const bData = Float64Array.from([...new Array(pad).fill(99), ...b, 5]);
      const cData = Float64Array.from([1, ...c, 99]);
      expect(bestHole(Float64Array.from(a), a.length, bData, pad, b.length, cData, 1, c.length, need)).toBe(expected);
    },
  );
});
