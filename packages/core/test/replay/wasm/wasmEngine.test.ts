import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { bfcAllocator, cachingAllocator, replay, traceBuilder, type Allocator, type ReplayOptions, type Trace } from "@hbmscope/core";
import { traceArbitrary } from "@hbmscope/core/testing";
import { replayWith } from "../../../src/replay/replay.js";
import { stepTrace } from "../allocators/stepTrace.js";

const MiB = 2 ** 20;

/**
 * Random traces for both pools: small (under 1 MiB) and large (up to 64 MiB) buffers, 0-byte ones,
 * buffers never freed, all three views, and emptyCache marks (some past the last event).
 */
const engineTrace = fc
  .tuple(traceArbitrary({ maxBuffers: 60, views: true }), fc.array(fc.nat(), { maxLength: 4 }))
  .map(([t, cuts]): Trace => ({ ...t, marks: [...t.marks, ...cuts.map((c) => ({ at: c % (t.events.length + 2), label: "emptyCache" }))] }));

/**
 * Random programs of allocs (0 bytes, small, large, huge), frees of a random live buffer and
 * emptyCache marks: the pools fill, empty and refill, so cached segments are reused, split, merged
 * and (with a capacity) released before new ones. Some buffers are temporaries or logical views.
 */
const stepProgram = fc
  .array(
    fc.oneof(
      fc.record({ alloc: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 1, max: MiB }), fc.integer({ min: MiB, max: 12 * MiB }), fc.integer({ min: 12 * MiB, max: 80 * MiB })), view: fc.constantFrom(0, 0, 0, 1, 2) }),
      fc.record({ free: fc.nat() }),
      fc.record({ free: fc.nat() }),
      fc.record({ mark: fc.constant("emptyCache") }),
    ),
    { maxLength: 160 },
  )
  .map((steps): Trace => {
    const b = traceBuilder({ source: "test" });
    const live: number[] = [];
    for (const s of steps) {
      if ("alloc" in s) {
        const extra = s.view === 1 ? { kernelTemp: true } : s.view === 2 ? { view: "logical" as const } : {};
        live.push(b.alloc({ bytes: s.alloc, category: s.view === 1 ? "temporary" : "activation", ...extra }));
      } else if ("free" in s) {
        if (live.length) b.free(live.splice(s.free % live.length, 1)[0]);
      } else b.mark(s.mark);
    }
    return b.build();
  });

const anyTrace = fc.oneof(engineTrace, stepProgram);

/**
 * Random programs for expandable segments: sizes around their pages (2 MiB small, 20 MiB large) so
 * that blocks straddle pages, partial pages stay mapped when whole ones are unmapped, and both
 * pools have pages to unmap at an emptyCache mark or under a capacity.
 */
const expandableProgram = fc
  .array(
    fc.oneof(
      fc.record({ alloc: fc.oneof(fc.integer({ min: 1, max: 600_000 }), fc.integer({ min: 600_000, max: MiB }), fc.integer({ min: MiB + 1, max: 22 * MiB }), fc.integer({ min: 18 * MiB, max: 70 * MiB })) }),
      fc.record({ free: fc.nat() }),
      fc.record({ free: fc.nat() }),
      fc.record({ mark: fc.constant("emptyCache") }),
    ),
    { maxLength: 120 },
  )
  .map((steps): Trace => {
    const b = traceBuilder({ source: "test" });
    const live: number[] = [];
    for (const s of steps) {
      if ("alloc" in s) live.push(b.alloc({ bytes: s.alloc, category: "activation" }));
      else if ("free" in s) {
        if (live.length) b.free(live.splice(s.free % live.length, 1)[0]);
      } else b.mark(s.mark);
    }
    return b.build();
  });

const view = fc.constantFrom("backend" as const, "physical" as const, "logical" as const);
/** A capacity as a fraction of the unlimited run's reserved peak (below 1: out of memory, releases), or none. */
const capacityFraction = fc.option(fc.double({ min: 0.3, max: 1.3, noNaN: true }), { nil: undefined });
const outsideFraction = fc.constantFrom(0, 0, 0.05);

const cachingOptions = fc.record({
  maxSplitSize: fc.constantFrom(Infinity, Infinity, 21 * MiB, 32 * MiB, 48 * MiB),
  maxNonSplitRoundingSize: fc.constantFrom(20 * MiB, 0, 4 * MiB),
  roundupPower2Divisions: fc.oneof(fc.constantFrom(0, 1, 2, 4, 8), fc.array(fc.constantFrom(0, 1, 2, 4, 16), { minLength: 16, maxLength: 16 })),
});
const bfcOptions = fc.record({
  allowGrowth: fc.boolean(),
  garbageCollection: fc.boolean(),
  fragmentationFraction: fc.constantFrom(0, 0, 0.01, 0.1),
});

/** The options with a capacity of `fraction` x the unlimited JS run's reserved peak (none if that peak is 0). */
function withCapacity(trace: Trace, make: () => Allocator, options: ReplayOptions, fraction: number | undefined, outside: number): ReplayOptions {
  if (fraction === undefined) return options;
  const peak = replayWith(trace, make(), options, "js").peaks.reserved.bytes;
  if (peak === 0) return options;
  const capacity = Math.floor(peak * fraction) + 1;
  return { ...options, capacity, outside: Math.floor(capacity * outside) };
}

function sameRun(trace: Trace, make: () => Allocator, options: ReplayOptions) {
  let js;
  try {
    js = replayWith(trace, make(), options, "js");
  } catch (error) {
    // The same error from both engines (e.g. BFC without allow_growth and without a capacity).
    expect(() => replayWith(trace, make(), options, "auto")).toThrow((error as Error).message);
    return;
  }
  expect(replayWith(trace, make(), options, "wasm")).toStrictEqual(js);
}

describe("replayWith(..., 'wasm')", () => {
  test.prop([anyTrace, view, cachingOptions, capacityFraction, outsideFraction], { numRuns: 200 })(
    "replayWith(trace, cachingAllocator(options), ..., 'wasm') gives the JS engine's whole run",
    (trace, v, options, fraction, outside) => {
      const make = () => cachingAllocator(options);
      sameRun(trace, make, withCapacity(trace, make, { view: v }, fraction, outside));
    },
  );

  test.prop([fc.oneof(anyTrace, expandableProgram, expandableProgram), view, cachingOptions, capacityFraction, outsideFraction], { numRuns: 300 })(
    "replayWith(trace, cachingAllocator({ ...options, expandableSegments: true }), ..., 'wasm') gives the JS engine's whole run (mapping, unmapping, records)",
    (trace, v, options, fraction, outside) => {
      const make = () => cachingAllocator({ ...options, expandableSegments: true });
      sameRun(trace, make, withCapacity(trace, make, { view: v }, fraction, outside));
    },
  );

  test.prop([anyTrace, view, bfcOptions, capacityFraction, outsideFraction], { numRuns: 200 })(
    "replayWith(trace, bfcAllocator(options), ..., 'wasm') gives the JS engine's whole run",
    (trace, v, options, fraction, outside) => {
      const make = () => bfcAllocator(options);
      const replayOptions = withCapacity(trace, () => bfcAllocator({ ...options, allowGrowth: true }), { view: v }, fraction, outside);
      sameRun(trace, make, replayOptions);
    },
  );

  it("replayWith(..., 'wasm') gives the JS run on a trace that splits, merges, reuses and runs out", () => {
    const trace = stepTrace([
      { alloc: 1000 }, { alloc: 0 }, { alloc: 3 * MiB }, { alloc: 700_000 }, { free: 0 }, { alloc: 600 }, { free: 2 },
      { mark: "emptyCache" }, { alloc: 30 * MiB }, { free: 3 }, { alloc: 2 * MiB }, { alloc: 40 * MiB }, { alloc: 100 * MiB },
    ]);
    for (const make of [() => cachingAllocator(), () => cachingAllocator({ maxSplitSize: 25 * MiB }), () => bfcAllocator()]) {
      for (const options of [{}, { capacity: 120 * MiB }]) {
        const js = replayWith(trace, make(), options, "js");
        expect(replayWith(trace, make(), options, "wasm")).toStrictEqual(js);
      }
    }
    expect(replayWith(trace, cachingAllocator(), { capacity: 120 * MiB }, "wasm").oom?.index).toBe(trace.events.length - 1);
  });

  it("replayWith(..., 'wasm') unmaps cached pages as the JS engine does with expandable segments under a capacity", () => {
    // 30 MiB mapped (two 20 MiB pages: 40 MiB), freed, then 50 MiB in 64 MiB: the cached pages are
    // unmapped, and the range remapped from its start; a small block keeps its 2 MiB page mapped.
    const trace = stepTrace([{ alloc: 1000 }, { alloc: 30 * MiB }, { free: 1 }, { alloc: 50 * MiB }, { alloc: 600_000 }, { free: 0 }, { mark: "emptyCache" }, { alloc: 5 * MiB }]);
    const make = () => cachingAllocator({ expandableSegments: true });
    const js = replayWith(trace, make(), { capacity: 64 * MiB }, "js");
    expect(js.oom).toBeNull();
    expect(js.segments.some((x) => x.releasedAt >= 0)).toBe(true);
    expect(replayWith(trace, make(), { capacity: 64 * MiB }, "wasm")).toStrictEqual(js);
    // Past the capacity even after unmapping: the same OOM event and attempt.
    const oom = replayWith(trace, make(), { capacity: 45 * MiB }, "js");
    expect(oom.oom?.index).toBe(3);
    expect(replayWith(trace, make(), { capacity: 45 * MiB }, "wasm")).toStrictEqual(oom);
    // Partial pages: a block unmaps only its whole pages, the rest stays mapped and cached.
    const partial = stepTrace([{ alloc: 25 * MiB }, { alloc: 21 * MiB }, { alloc: 3 * MiB }, { free: 1 }, { mark: "emptyCache" }, { alloc: 44 * MiB }]);
    for (const options of [{}, { capacity: 100 * MiB }, { capacity: 70 * MiB }]) {
      const run = replayWith(partial, make(), options, "js");
      expect(replayWith(partial, make(), options, "wasm")).toStrictEqual(run);
    }
    // A hole of exactly the request is refilled (the lowest address with room), not the end of the range.
    const hole = stepTrace([{ alloc: 20 * MiB }, { alloc: 20 * MiB }, { free: 0 }, { mark: "emptyCache" }, { alloc: 20 * MiB }]);
    const refilled = replayWith(hole, make(), {}, "js");
    expect(refilled.address[2]).toBe(0);
    expect(replayWith(hole, make(), {}, "wasm")).toStrictEqual(refilled);
    // Both pools unmap at one mark: the large pool's record is released and recorded first.
    const both = stepTrace([
      { alloc: MiB }, { alloc: MiB }, { alloc: MiB }, { alloc: 30 * MiB }, { alloc: 3 * MiB }, { free: 0 }, { free: 1 }, { free: 3 }, { mark: "emptyCache" }, { alloc: 5 * MiB },
    ]);
    const released = replayWith(both, make(), {}, "js");
    expect(released.segments.filter((x) => x.reservedAt === 8).map((x) => x.pool)).toEqual(["large", "small"]);
    expect(replayWith(both, make(), {}, "wasm")).toStrictEqual(released);
  });

  it("replayWith(..., 'wasm') gives the JS run when expandable segments need more records than the room first laid out (3 per alloc)", () => {
    // A 20 MiB page between two live ones, mapped and unmapped again 200 times: each round records
    // the merged range once and its two sides once each, past the 2 x (allocs + 64) laid out first.
    const steps: Parameters<typeof stepTrace>[0] = [{ alloc: 20 * MiB }, { alloc: 20 * MiB }, { alloc: 20 * MiB }, { free: 1 }, { mark: "emptyCache" }];
    for (let k = 0; k < 200; k++) steps.push({ alloc: 20 * MiB }, { free: 3 + k }, { mark: "emptyCache" });
    const trace = stepTrace(steps);
    const make = () => cachingAllocator({ expandableSegments: true });
    const js = replayWith(trace, make(), {}, "js");
    expect(js.segments.length).toBeGreaterThan(2 * (203 + 64));
    expect(replayWith(trace, make(), {}, "wasm")).toStrictEqual(js);
  });

  it("replayWith(..., 'wasm') releases as the JS engine does when a new segment does not fit: BFC garbage collection, an oversize cached block (maxSplitSize)", () => {
    // BFC: a free 4 MiB region, then 6 MiB in 8 MiB: only garbage collection makes room.
    const bfcTrace = stepTrace([{ alloc: 3 * MiB }, { free: 0 }, { alloc: 6 * MiB }]);
    for (const garbageCollection of [true, false]) {
      const js = replayWith(bfcTrace, bfcAllocator({ garbageCollection }), { capacity: 8 * MiB }, "js");
      expect(js.oom === null).toBe(garbageCollection);
      expect(replayWith(bfcTrace, bfcAllocator({ garbageCollection }), { capacity: 8 * MiB }, "wasm")).toStrictEqual(js);
    }
    // Caching: a cached small segment and a cached 30 MiB one; 28 MiB in 50 MiB releases only the 30 MiB one.
    const cachingTrace = stepTrace([{ alloc: 1000 }, { free: 0 }, { alloc: 30 * MiB }, { free: 1 }, { alloc: 28 * MiB }]);
    const make = () => cachingAllocator({ maxSplitSize: 25 * MiB, maxNonSplitRoundingSize: 0 });
    const js = replayWith(cachingTrace, make(), { capacity: 50 * MiB }, "js");
    expect(js.segments.map((x) => x.releasedAt)).toEqual([-1, 4, -1]);
    expect(replayWith(cachingTrace, make(), { capacity: 50 * MiB }, "wasm")).toStrictEqual(js);
  });
});

describe("replay engine choice", () => {
  const trace = stepTrace([{ alloc: 1000 }, { alloc: 5 * MiB }, { free: 0 }]);

  it("replay(trace, cachingAllocator()) runs in WebAssembly here and equals the JS engine's run", () => {
    expect(replay(trace, cachingAllocator())).toStrictEqual(replayWith(trace, cachingAllocator(), {}, "wasm"));
    expect(replay(trace, cachingAllocator())).toStrictEqual(replayWith(trace, cachingAllocator(), {}, "js"));
  });

  it("replay(trace, cachingAllocator()) hands out arrays of its own: a later replay leaves them as they were", () => {
    const first = replay(trace, cachingAllocator());
    replay(stepTrace([{ alloc: 9 * MiB }, { alloc: 100 }, { alloc: 200 }, { free: 1 }]), bfcAllocator());
    expect(first).toStrictEqual(replayWith(trace, cachingAllocator(), {}, "js"));
  });

  it("replay(trace, cachingAllocator({ expandableSegments: true })) runs in WebAssembly here and equals the JS engine's run", () => {
    const expandable = () => cachingAllocator({ expandableSegments: true });
    expect(replay(trace, expandable())).toStrictEqual(replayWith(trace, expandable(), {}, "wasm"));
    expect(replay(trace, expandable())).toStrictEqual(replayWith(trace, expandable(), {}, "js"));
  });

  it("replay(trace, allocator) replays in JS an allocator without a wasm plan (a copy, a hand-made one)", () => {
    for (const allocator of [{ ...cachingAllocator({ expandableSegments: true }) }, { ...cachingAllocator() }, { ...bfcAllocator() }]) {
      expect(() => replayWith(trace, allocator, {}, "wasm")).toThrow(/wasm engine does not run/);
      expect(replay(trace, allocator)).toStrictEqual(replayWith(trace, allocator, {}, "js"));
    }
  });

  it("cachingAllocator() and bfcAllocator() carry their wasm plan out of sight: a run records only their options", () => {
    expect(Object.keys(cachingAllocator())).toEqual(["name", "maxSplitSize", "maxNonSplitRoundingSize", "roundupPower2Divisions", "expandableSegments", "start"]);
    expect(replay(trace, bfcAllocator()).allocator).toEqual({ name: "bfc", allowGrowth: true, garbageCollection: true, fragmentationFraction: 0 });
  });
});
