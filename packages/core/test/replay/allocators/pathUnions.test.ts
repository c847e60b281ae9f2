import { describe, expect } from "vitest";
import { fc, it } from "@fast-check/vitest";
import { IntervalLists } from "../../../src/replay/allocators/intervalLists.js";
import { PathUnions } from "../../../src/replay/allocators/pathUnions.js";

/** The cells [0, 64) covered by `n` numbers of a list from `s`, as a string of 0 and 1. */
const cells = (list: ArrayLike<number>, s: number, n: number) => {
  const out = new Array(64).fill(0);
  for (let j = s; j < s + n; j += 2) for (let x = list[j]; x < list[j + 1]; x++) out[x] = 1;
  return out.join("");
};

const top = 16;
const op = fc.oneof(
  fc.record({ node: fc.integer({ min: 1, max: 2 * top - 1 }), lo: fc.integer({ min: 0, max: 60 }), w: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ query: fc.integer({ min: 1, max: top - 1 }) }),
);

describe("PathUnions", () => {
  it.prop([fc.array(op, { maxLength: 150 })])("PathUnions.of gives the union of the covers of a node and its ancestors, however covers changed since", (ops) => {
    const covers = new IntervalLists(2 * top, 0);
    const paths = new PathUnions(covers, top);
    for (const o of ops) {
      if ("node" in o) {
        if (covers.add(o.node, o.lo, o.lo + o.w) && o.node < top) paths.changed(o.node);
      } else {
        const model = new Array(64).fill(0);
        for (let v = o.query; v >= 1; v >>= 1) {
          const row = cells(covers.data, covers.start[v], covers.length[v]);
          for (let x = 0; x < 64; x++) if (row[x] === "1") model[x] = 1;
        }
        const i = paths.of(o.query);
        expect(cells(paths.lists.data, paths.lists.start[i], paths.lists.length[i])).toBe(model.join(""));
      }
    }
  });
});
