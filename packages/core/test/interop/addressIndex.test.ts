import { fc, test } from "@fast-check/vitest";
import { expect } from "vitest";
import { AddressIndex } from "../../src/interop/addressIndex.js";

// Operations on ids 0..199 whose addresses come from a small range, so equal addresses (ordered by
// id) and chunk splits and merges all happen.
const ops = fc.array(fc.tuple(fc.boolean(), fc.nat(199)), { maxLength: 2000 });
const addresses = fc.array(fc.nat(60), { minLength: 200, maxLength: 200 });

test.prop([addresses, ops], { numRuns: 150 })(
  "AddressIndex.insert/remove/before/after/firstFrom/last() agree with a sorted list ordered by (address, id)",
  (address, steps) => {
    const index = new AddressIndex({ items: address });
    const sorted: number[] = [];
    const order = (a: number, b: number) => address[a] - address[b] || a - b;
    for (const [add, id] of steps) {
      const present = sorted.includes(id);
      if (add && !present) {
        index.insert(id);
        sorted.push(id);
        sorted.sort(order);
        const k = sorted.indexOf(id);
        expect([index.insertedBefore, index.insertedAfter]).toEqual([k > 0 ? sorted[k - 1] : -1, k + 1 < sorted.length ? sorted[k + 1] : -1]);
      } else if (!add) {
        expect(index.remove(id)).toBe(present);
        if (present) sorted.splice(sorted.indexOf(id), 1);
      }
      expect(index.size).toBe(sorted.length);
      expect(index.last()).toBe(sorted.length > 0 ? sorted[sorted.length - 1] : -1);
      for (let a = 0; a <= 61; a += 5) {
        const first = sorted.find((id) => address[id] >= a);
        expect(index.firstFrom(a)).toBe(first ?? -1);
      }
      for (let k = 0; k < sorted.length; k += 7) {
        expect(index.before(sorted[k])).toBe(k > 0 ? sorted[k - 1] : -1);
        expect(index.after(sorted[k])).toBe(k + 1 < sorted.length ? sorted[k + 1] : -1);
      }
    }
  },
);
