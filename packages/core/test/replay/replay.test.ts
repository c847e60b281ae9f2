import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { bfcAllocator, cachingAllocator, fragmentationAt, ideal, replay, stateAt, timeline, traceBuilder } from "@hbmscope/core";
import { traceArbitrary } from "@hbmscope/core/testing";

const MiB = 2 ** 20;

function sample() {
  const b = traceBuilder({ source: "test" });
  const w = b.alloc({ bytes: 3 * MiB, category: "weight" });
  const t = b.alloc({ bytes: 1000, category: "temporary", kernelTemp: true });
  const a = b.alloc({ bytes: 5 * MiB, category: "activation" });
  b.free(t);
  b.free(a);
  void w;
  return b.build();
}

describe("replay()", () => {
  it("replay() counts the backend view (kernel temporaries included) by default", () => {
    const run = replay(sample(), ideal());
    expect(run.view).toBe("backend");
    expect(run.peaks.requested.bytes).toBe(timeline(sample(), { view: "backend" }).peak.bytes);
    expect(replay(sample(), ideal(), { view: "physical" }).peaks.requested.bytes).toBe(8 * MiB);
  });

  it("replay() records the allocator's options as plain data", () => {
    const run = replay(sample(), cachingAllocator({ maxSplitSize: 64 * MiB }));
    expect(run.allocator).toEqual({ name: "caching", maxSplitSize: 64 * MiB, maxNonSplitRoundingSize: 20 * MiB, roundupPower2Divisions: 0, expandableSegments: false });
    expect(JSON.parse(JSON.stringify(run.allocator))).toEqual(run.allocator);
  });

  it("replay() gives fragmentation where reserved memory is at its peak and fullest, with TensorFlow's ratio", () => {
    const run = replay(sample(), cachingAllocator());
    // Segments: 20 MiB (3 MiB weight + 17 MiB free, then 5 MiB activation split from it), 2 MiB small.
    expect(run.peaks.reserved).toEqual({ bytes: 22 * MiB, index: 1 });
    const f = run.fragmentationAtPeak;
    // Reserved stays at 22 MiB from event 1; event 2 (the activation) is where it is fullest.
    expect(f).toMatchObject({ index: 2, reserved: 22 * MiB, allocated: 8 * MiB + 1024, requested: 8 * MiB + 1000, internal: 24 });
    expect(f.external).toBe(22 * MiB - 8 * MiB - 1024);
    expect(f.largestFree).toBe(12 * MiB);
    expect(f.ratio).toBeCloseTo((f.external - 12 * MiB) / f.external, 12);
  });

  it("replay() accepts a capacity with units and rejects a bad one naming it", () => {
    expect(replay(sample(), ideal(), { capacity: "9MiB" }).oom).toBeNull();
    expect(replay(sample(), ideal(), { capacity: "8MiB" }).oom?.index).toBe(2);
    expect(() => replay(sample(), ideal(), { capacity: "lots" })).toThrow(/replay: capacity: cannot read "lots"/);
  });

  it("replay() with outside gives the allocator capacity - outside and reports both in the OOM message", () => {
    expect(replay(sample(), ideal(), { capacity: 10 * MiB, outside: MiB }).oom).toBeNull();
    const run = replay(sample(), ideal(), { capacity: 10 * MiB, outside: 3 * MiB, view: "physical" });
    expect(run.capacity).toBe(10 * MiB);
    expect(run.oom).toMatchObject({ index: 2, capacity: 10 * MiB, free: 4 * MiB, allocated: 3 * MiB });
    expect(run.oom!.message).toContain("Device has a total capacity of 10.00 MiB of which 4.00 MiB is free. Including 3.00 MiB outside the allocator, this process has 6.00 MiB memory in use.");
    expect(() => replay(sample(), ideal(), { capacity: MiB, outside: MiB })).toThrow(/replay: outside must be a number of bytes >= 0 and below the capacity/);
    expect(() => replay(sample(), ideal(), { outside: -1 })).toThrow(/replay: outside/);
  });

  it("replay() rejects an unknown view and a missing allocator", () => {
    // @ts-expect-error deliberately wrong
    expect(() => replay(sample(), ideal(), { view: "virtual" })).toThrow(/unknown view "virtual"; accepted: logical, physical, backend/);
    // @ts-expect-error deliberately wrong
    expect(() => replay(sample(), "caching")).toThrow(/must be an allocator such as cachingAllocator\(\)/);
  });
});

describe("stateAt()", () => {
  it("stateAt() lists segments and their blocks, live and free, at any event", () => {
    const run = replay(sample(), cachingAllocator());
    const s = stateAt(run, 2);
    expect(s.segments.map((g) => [g.pool, g.bytes])).toEqual([
      ["large", 20 * MiB],
      ["small", 2 * MiB],
    ]);
    expect(s.segments[0].blocks.map((b) => [b.state, b.bytes / MiB])).toEqual([
      ["allocated", 3],
      ["allocated", 5],
      ["free", 12],
    ]);
    expect(stateAt(run, -1).segments).toEqual([]);
  });

  it("stateAt() replays a trace and allocator when given them", () => {
    expect(stateAt(sample(), cachingAllocator(), 4)).toEqual(stateAt(replay(sample(), cachingAllocator()), 4));
  });

  it("stateAt() rejects an index outside the run", () => {
    expect(() => stateAt(replay(sample(), ideal()), 5)).toThrow(/index must be an event index in -1..4/);
  });
});

/** The first index of the largest value in a[0 .. length) (-1 when none is above 0), as peaks are defined. */
function firstMax(a: Float64Array, length: number): { bytes: number; index: number } {
  let bytes = 0;
  let index = -1;
  for (let i = 0; i < length; i++) if (a[i] > bytes) [bytes, index] = [a[i], i];
  return { bytes, index };
}

test.prop([traceArbitrary({ maxBuffers: 40 }), fc.constantFrom("caching", "expandable", "bfc", "ideal"), fc.option(fc.integer({ min: 1, max: 200 * 2 ** 20 }))])(
  "replay gives peaks that are the first maxima of its series, and fragmentation at the fullest event of the reserved peak, with or without an OOM",
  (trace, name, capacity) => {
    const allocator = name === "bfc" ? bfcAllocator() : name === "ideal" ? ideal() : cachingAllocator({ expandableSegments: name === "expandable" });
    const run = replay(trace, allocator, capacity === null ? {} : { capacity });
    const n = run.length;
    expect(run.peaks.reserved).toEqual(firstMax(run.reserved, n));
    expect(run.peaks.allocated).toEqual(firstMax(run.allocated, n));
    expect(run.peaks.requested).toEqual(firstMax(run.requested, n));
    for (let i = 0; i < n; i++) expect(run.freeInReserved[i]).toBe(run.reserved[i] - run.allocated[i]);
    // Among the events at the reserved peak, the one with the most allocated bytes (the first of equals).
    let fullest = run.peaks.reserved.index;
    for (let i = fullest + 1; fullest >= 0 && i < n; i++) if (run.reserved[i] === run.peaks.reserved.bytes && run.allocated[i] > run.allocated[fullest]) fullest = i;
    expect(run.fragmentationAtPeak).toEqual(fragmentationAt(run, fullest));
  },
);
