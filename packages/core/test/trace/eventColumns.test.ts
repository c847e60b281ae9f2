import { describe, expect } from "vitest";
import { fc, it } from "@fast-check/vitest";
import { EventColumns } from "../../src/trace/eventColumns.js";

/** Events as JSON.parse makes them: plain ones, and some of other forms (extra keys, other orders). */
const event = fc.oneof(
  fc.record({ kind: fc.constantFrom("alloc", "free"), buffer: fc.nat(), time: fc.double({ noNaN: true, noDefaultInfinity: true }) }, { requiredKeys: ["kind", "buffer"] }).map((e) => ({ e, plain: true })),
  fc.record({ buffer: fc.nat(), kind: fc.constantFrom("alloc", "free"), note: fc.jsonValue({ maxDepth: 1 }) }).map((e) => ({ e: JSON.parse(JSON.stringify(e)) as Record<string, unknown>, plain: false })),
);

describe("EventColumns", () => {
  it.prop([fc.array(event, { maxLength: 40 })])("EventColumns.get gives back every event kept, equal and keys in order, plain or not, and times() every time when all have one", (drawn) => {
    const columns = new EventColumns();
    for (const { e, plain } of drawn) {
      if (plain) columns.addPlain(e.kind === "alloc", e.buffer as number, typeof e.time === "number" ? e.time : NaN);
      else columns.add(e);
    }
    expect(columns.count).toBe(drawn.length);
    drawn.forEach(({ e }, i) => {
      const got = columns.get(i);
      expect(Object.keys(got)).toEqual(Object.keys(e));
      expect(got).toEqual(e);
    });
    const timed = drawn.every(({ e }) => typeof e.time === "number");
    const times = columns.times();
    if (!timed) expect(times).toBeUndefined();
    else expect(Array.from(times!)).toEqual(drawn.map(({ e }) => e.time));
  });

  it("EventColumns.addPlain keeps events past its first capacity", () => {
    const columns = new EventColumns();
    for (let i = 0; i < 5000; i++) columns.addPlain(i % 2 === 0, i >> 1, i);
    expect(columns.get(4999)).toEqual({ kind: "free", buffer: 2499, time: 4999 });
    expect(columns.times()!.length).toBe(5000);
  });
});
