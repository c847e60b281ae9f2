import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { TensorIdIndex } from "../src/tensorIdIndex.js";

describe("TensorIdIndex", () => {
  it("TensorIdIndex.get() is -1 for ids never set, below the first or far above it", () => {
    const index = new TensorIdIndex();
    expect(index.get(0)).toBe(-1);
    index.set(100, 7);
    expect(index.get(100)).toBe(7);
    expect(index.get(99)).toBe(-1);
    expect(index.get(1_000_000)).toBe(-1);
    index.delete(100);
    index.delete(5);
    expect(index.get(100)).toBe(-1);
  });

  test.prop([fc.array(fc.tuple(fc.boolean(), fc.nat(5000), fc.nat(1 << 30)), { maxLength: 300 })])(
    "TensorIdIndex.set()/delete() agree with a Map for any ids, in any order",
    (ops) => {
      const index = new TensorIdIndex();
      const map = new Map<number, number>();
      for (const [add, id, buffer] of ops) {
        if (add) {
          index.set(id, buffer);
          map.set(id, buffer);
        } else {
          index.delete(id);
          map.delete(id);
        }
      }
      for (let id = 0; id <= 5000; id += 7) expect(index.get(id)).toBe(map.get(id) ?? -1);
      for (const [id, buffer] of map) expect(index.get(id)).toBe(buffer);
    },
  );
});
