import { fc, test } from "@fast-check/vitest";
import { CATEGORIES } from "@hbmscope/core";
import { describe, expect, it } from "vitest";
import { categoryCode, TracedBuffers } from "../src/tracedBuffers.js";

describe("TracedBuffers", () => {
  it("categoryCode() is the index in core's CATEGORIES", () => {
    CATEGORIES.forEach((c, i) => expect(categoryCode(c)).toBe(i));
  });

  it("TracedBuffers.upgrade() keeps the stronger category (weight over activation over gradient over temporary)", () => {
    const buffers = new TracedBuffers();
    const b = buffers.add(4, categoryCode("temporary"), "float32", [1], "op", "s", "forward", 0);
    buffers.upgrade(b, categoryCode("gradient"));
    expect(CATEGORIES[buffers.category[b]]).toBe("gradient");
    buffers.upgrade(b, categoryCode("activation"));
    expect(CATEGORIES[buffers.category[b]]).toBe("activation");
    buffers.upgrade(b, categoryCode("temporary"));
    expect(CATEGORIES[buffers.category[b]]).toBe("activation");
    buffers.upgrade(b, categoryCode("weight"));
    expect(CATEGORIES[buffers.category[b]]).toBe("weight");
  });

  it("TracedBuffers.setShape() refuses a rank over 255, naming the rank", () => {
    const buffers = new TracedBuffers();
    expect(() => buffers.add(4, 0, "float32", new Array(256).fill(1), "op", "", "setup", 0)).toThrow("traceTfjs: a tensor of rank 256");
  });

  const row = fc.record({
    bytes: fc.nat(),
    category: fc.nat(CATEGORIES.length - 1),
    dtype: fc.option(fc.constantFrom("float32", "int32", "bool"), { nil: undefined }),
    shape: fc.option(fc.array(fc.nat(1 << 20), { maxLength: 6 }), { nil: undefined }),
    laterShape: fc.option(fc.array(fc.nat(1 << 20), { maxLength: 6 }), { nil: undefined }),
    op: fc.string(),
    scope: fc.string(),
    phase: fc.constantFrom("setup", "forward", "backward"),
    flags: fc.nat(15),
  });
  test.prop([fc.array(row, { maxLength: 3000 })])("TracedBuffers.add() keeps every field of every buffer, across growth, and shapes as copies", (rows) => {
    const buffers = new TracedBuffers();
    const given: (number[] | undefined)[] = [];
    rows.forEach((r, i) => {
      const shape = r.shape?.slice();
      expect(buffers.add(r.bytes, r.category, r.dtype, shape, r.op, r.scope, r.phase, r.flags)).toBe(i);
      if (shape) shape.push(99);
      if (!buffers.hasShape(i) && r.laterShape) buffers.setShape(i, r.laterShape);
      given.push(r.shape ?? r.laterShape);
    });
    expect(buffers.count).toBe(rows.length);
    rows.forEach((r, i) => {
      expect([buffers.bytes[i], buffers.category[i], buffers.flags[i]]).toEqual([r.bytes, r.category, r.flags]);
      expect([buffers.dtype[i], buffers.op[i], buffers.scope[i], buffers.phase[i]]).toEqual([r.dtype, r.op, r.scope, r.phase]);
      expect(buffers.shape(i)).toEqual(given[i]);
      expect(buffers.hasShape(i)).toBe(given[i] !== undefined);
    });
  });
});
