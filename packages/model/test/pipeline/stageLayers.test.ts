import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { layersPerStage, stageLayers } from "../../src/index.js";

describe("stageLayers", () => {
  it("stageLayers gives interleaved chunk v of stage i the (v·pp + i)-th slice (Megatron-LM)", () => {
    expect(stageLayers(16, 4, 2)).toEqual([[[0, 2], [8, 10]], [[2, 4], [10, 12]], [[4, 6], [12, 14]], [[6, 8], [14, 16]]]);
    expect(stageLayers(10, 4)).toEqual([[[0, 3]], [[3, 6]], [[6, 8]], [[8, 10]]]);
  });

  it("stageLayers refuses splits Megatron-LM refuses, with the numbers", () => {
    expect(() => stageLayers(12, 4, 2)).toThrow("stageLayers: interleaving needs the 12 layers to split evenly into pp × virtual stages = 8 chunks");
    expect(() => stageLayers(3, 4)).toThrow("stageLayers: pp × virtual stages (4 × 1 = 4) is more than the 3 layers");
  });

  test.prop([fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 16 })])("stageLayers covers every layer once, in order; stage 0 holds layersPerStage's ⌈L/pp⌉", (L, pp) => {
    fc.pre(pp <= L);
    const split = stageLayers(L, pp);
    expect(split.flat().flat()[0]).toBe(0);
    let next = 0;
    for (const [[a, b]] of split) {
      expect(a).toBe(next);
      expect(b).toBeGreaterThan(a);
      next = b;
    }
    expect(next).toBe(L);
    expect(split[0][0][1]).toBe(layersPerStage({ layers: L } as never, pp));
  });
});
