import { describe, expect } from "vitest";
import { fc, it } from "@fast-check/vitest";
import { IntervalLists } from "../../../src/replay/allocators/intervalLists.js";
import { IntervalUnion } from "../../../src/replay/allocators/intervalUnion.js";

/** The cells [0, 64) covered by a list of intervals, as a string of 0 and 1. */
const cells = (list: ArrayLike<number>, from = 0, length = list.length) => {
  const out = new Array(64).fill(0);
  for (let j = from; j < from + length; j += 2) for (let x = list[j]; x < list[j + 1]; x++) out[x] = 1;
  return out.join("");
};

const interval = fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 4 })).map(([lo, w]) => [lo, lo + w] as const);
const adds = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), interval), { maxLength: 200 });

describe("IntervalLists", () => {
  it.prop([adds])("IntervalLists.add keeps each list sorted, disjoint and equal to the union of what was added; false only when nothing changed", (ops) => {
    const lists = new IntervalLists(6, 0);
    const model = Array.from({ length: 6 }, () => new Array(64).fill(0));
    for (const [i, [lo, hi]] of ops) {
      const held = model[i].slice(lo, hi).every((c) => c === 1);
      for (let x = lo; x < hi; x++) model[i][x] = 1;
      expect(lists.add(i, lo, hi)).toBe(!held);
      const s = lists.start[i];
      const n = lists.length[i];
      for (let j = s; j + 2 < s + n; j += 2) expect(lists.data[j + 1]).toBeLessThan(lists.data[j + 2]); // touching ones are merged
      expect(cells(lists.data, s, n)).toBe(model[i].join(""));
    }
  });

  it.prop([adds])("IntervalUnion.addList gives the union of the lists it is given", (ops) => {
    const lists = new IntervalLists(6, 0);
    for (const [i, [lo, hi]] of ops) lists.add(i, lo, hi);
    const union = new IntervalUnion();
    const model = new Array(64).fill(0);
    for (let i = 0; i < 6; i++) {
      union.addList(lists, i);
      const s = lists.start[i];
      for (let j = s; j < s + lists.length[i]; j += 2) for (let x = lists.data[j]; x < lists.data[j + 1]; x++) model[x] = 1;
    }
    expect(cells(union.list, 0, union.length)).toBe(model.join(""));
    for (let j = 0; j + 2 < union.length; j += 2) expect(union.list[j + 1]).toBeLessThan(union.list[j + 2]);
  });

  it.prop([adds, fc.integer({ min: 0, max: 5 }), fc.array(interval, { maxLength: 40 })])(
    "IntervalLists.set makes one list the numbers given and leaves the others as they were",
    (ops, target, intervals) => {
      const lists = new IntervalLists(6, 0);
      for (const [i, [lo, hi]] of ops) lists.add(i, lo, hi);
      const before = Array.from({ length: 6 }, (_, i) => cells(lists.data, lists.start[i], lists.length[i]));
      // A sorted disjoint list made from the intervals, given from an offset in a larger array.
      const model = new Array(64).fill(0);
      for (const [lo, hi] of intervals) for (let x = lo; x < hi; x++) model[x] = 1;
      const numbers = [7, 7];
      for (let x = 0; x < 64; x++) if (model[x] && !model[x - 1]) numbers.push(x, model.indexOf(0, x) === -1 ? 64 : model.indexOf(0, x));
      lists.set(target, Float64Array.from(numbers), 2, numbers.length - 2);
      for (let i = 0; i < 6; i++) {
        expect(cells(lists.data, lists.start[i], lists.length[i])).toBe(i === target ? model.join("") : before[i]);
      }
    },
  );
});
