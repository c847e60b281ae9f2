import { describe, expect } from "vitest";
import { fc, it } from "@fast-check/vitest";
import { sizeOrder } from "../../../src/replay/allocators/sizeOrder.js";

describe("sizeOrder", () => {
  it.prop([fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 60 }), fc.constantFrom(0, 3, 4096), fc.constantFrom([64, 64], [1, 2 ** 48])])(
    "sizeOrder sorts ranks by size, largest first, ties by rank, whichever sort it uses",
    (units, few, [alignment, unit]) => {
      // Units of 2^48 bytes, aligned to 1, make keys too large to pack: the comparison sort.
      // Buffers numbered backwards, so that ranks and buffer ids differ.
      const m = units.length;
      const byStart = Int32Array.from(units, (_, r) => m - 1 - r);
      const size = new Float64Array(m);
      units.forEach((u, r) => (size[m - 1 - r] = u * unit));
      const expected = units.map((_, r) => r).sort((p, q) => units[q] - units[p] || p - q);
      expect([...sizeOrder(byStart, m, size, alignment, few)]).toEqual(expected);
    },
  );
});
