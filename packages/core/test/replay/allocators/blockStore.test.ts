import { fc, test } from "@fast-check/vitest";
import { expect } from "vitest";
import { BlockStore } from "../../../src/replay/allocators/blockStore.js";

/** Insert and remove many free blocks; best fit and largest must match a sorted list. */
test.prop([fc.array(fc.tuple(fc.integer({ min: 1, max: 300 }), fc.boolean(), fc.integer({ min: 1, max: 400 })), { minLength: 200, maxLength: 1500 })], { numRuns: 30 })(
  "BlockStore keeps free blocks in (size, address) order through many inserts, removes and run splits",
  (ops) => {
    const store = new BlockStore(1);
    const free = new Set<number>();
    let address = 0;
    for (const [size, remove, query] of ops) {
      if (remove && size % 3 === 0 && free.size > 0) {
        const victim = [...free][size % free.size];
        store.removeFree(victim);
        free.delete(victim);
      } else {
        const id = store.create(address, size, 0, 0);
        address += 1000;
        store.insertFree(id);
        free.add(id);
      }
      const sorted = [...free].sort((a, b) => store.size[a] - store.size[b] || store.address[a] - store.address[b]);
      expect(store.freeBlocks(0)).toEqual(sorted);
      expect(store.bestFit(0, query)).toBe(sorted.find((b) => store.size[b] >= query) ?? -1);
      expect(store.largest(0)).toBe(sorted.length ? sorted[sorted.length - 1] : -1);
    }
  },
);
