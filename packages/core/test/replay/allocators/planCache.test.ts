import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { plannedArena, replay, traceBuilder, traceColumns, type ReplayOptions, type Trace, type View } from "@hbmscope/core";
import { traceArbitrary } from "@hbmscope/core/testing";
import { cachedPlan, type ArenaPlan } from "../../../src/replay/allocators/planCache.js";
import { planArena } from "../../../src/replay/allocators/plannedArena.js";

/** A copy of a trace: the same data, columns of its own (so nothing it plans can come from the original's plans). */
const copy = (t: Trace): Trace => structuredClone(t);

describe("cachedPlan()", () => {
  test.prop(
    [
      traceArbitrary({ maxBuffers: 40, views: true }),
      fc.array(fc.record({ view: fc.constantFrom<View>("logical", "physical", "backend"), alignment: fc.constantFrom(1, 64, 512), capacity: fc.option(fc.integer({ min: 0, max: 2 ** 28 }), { nil: undefined }) }), { minLength: 1, maxLength: 8 }),
    ],
    { numRuns: 60 },
  )("cachedPlan() gives every replay of a trace, in any order of views, alignments and capacities, the run a fresh plan gives", (t, asks) => {
    for (const { view, alignment, capacity } of asks) {
      const options: ReplayOptions = { view, ...(capacity === undefined ? {} : { capacity }) };
      expect(replay(t, plannedArena({ alignment }), options)).toEqual(replay(copy(t), plannedArena({ alignment }), options));
    }
  });

  it("cachedPlan() plans once per trace, view mask and alignment, and on reuse calls onProgress once with everything placed", () => {
    const b = traceBuilder();
    const x = b.alloc({ bytes: 1000, category: "activation" });
    const y = b.alloc({ bytes: 3000, category: "activation", kernelTemp: true });
    b.free(x);
    b.alloc({ bytes: 500, category: "activation" });
    b.free(y);
    const t = b.build();
    const c = traceColumns(t);
    const input = (inView: number[]) => ({ bytes: c.bytes, inView: Uint8Array.from(inView), eventBuffer: c.eventBuffer, eventAlloc: c.eventAlloc, capacity: Infinity });
    let made = 0;
    const make = (i: Parameters<typeof planArena>[0], a: number, p?: (placed: number, total: number) => void): ArenaPlan => {
      made++;
      return planArena(i, a, { onProgress: p });
    };
    const calls: [number, number][] = [];
    const progress = (placed: number, total: number) => void calls.push([placed, total]);
    const first = cachedPlan(input([1, 1, 1]), 64, progress, make);
    // The same mask in a new array, another capacity: reused.
    expect(cachedPlan({ ...input([1, 1, 1]), capacity: 5000 }, 64, progress, make)).toBe(first);
    expect([made, calls]).toEqual([1, [[3, 3], [3, 3]]]);
    // Another mask, another alignment: planned again, then each reused.
    const physical = cachedPlan(input([1, 0, 1]), 64, undefined, make);
    const aligned = cachedPlan(input([1, 1, 1]), 256, undefined, make);
    expect(made).toBe(3);
    // Physical: x and z never overlap, one 1024-byte place. Aligned to 256: y (3072) at 0, x (1024)
    // above it, z (512) in x's place once x is freed.
    expect([physical.arena, aligned.arena]).toEqual([1024, 4096]);
    expect(cachedPlan(input([1, 0, 1]), 64, undefined, make)).toBe(physical);
    expect(cachedPlan(input([1, 1, 1]), 256, undefined, make)).toBe(aligned);
    expect(cachedPlan(input([1, 1, 1]), 64, undefined, make)).toBe(first);
    expect(made).toBe(3);
    // Other columns (a copy of the trace): planned again.
    const d = traceColumns(copy(t));
    cachedPlan({ bytes: d.bytes, inView: Uint8Array.from([1, 1, 1]), eventBuffer: d.eventBuffer, eventAlloc: d.eventAlloc, capacity: Infinity }, 64, undefined, make);
    expect(made).toBe(4);
  });

  it("cachedPlan() keeps no plan whose planning threw (an onProgress that stops it)", () => {
    const b = traceBuilder();
    b.alloc({ bytes: 1000, category: "activation" });
    const t = b.build();
    const stop = () => {
      throw new Error("stopped");
    };
    expect(() => replay(t, plannedArena({ onProgress: stop }))).toThrow("stopped");
    const calls: [number, number][] = [];
    replay(t, plannedArena({ onProgress: (placed, total) => void calls.push([placed, total]) }));
    expect(calls).toEqual([[1, 1]]);
  });
});
