import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { cachingAllocator, cachingOptionsFromSnapshot, replay, stateAt } from "@hbmscope/core";
import { traceArbitrary } from "@hbmscope/core/testing";
import { stepTrace as trace } from "./stepTrace.js";

const MiB = 2 ** 20;
const expandable = () => cachingAllocator({ expandableSegments: true });

describe("cachingAllocator({ expandableSegments: true })", () => {
  // Worked by hand from CUDACachingAllocator.cpp (find_expandable_block, map_block,
  // try_allocate_expandable_block, unmap_block): large pool pages of 20 MiB.
  const steps = trace([
    { alloc: 30 * MiB }, // maps 2 pages (40 MiB); the block splits: 30 used, 10 free
    { alloc: 5 * MiB }, // best fit in the 10 free: 5 used, 5 free at 35 MiB
    { alloc: 15 * MiB }, // no fit: the free 5 before the unmapped end plus one new page: 25 free, 15 used
    { free: 0 }, // 0..30 free
    { mark: "emptyCache" }, // the whole page 0..20 is unmapped; 20..30 stays (part of a page)
    { alloc: 25 * MiB }, // the lowest room: the hole at 0 (20) and the free 10 after it; maps the page back
  ]);

  it("cachingAllocator({ expandableSegments: true }) maps 20 MiB pages at the lowest room, splits what is left, unmaps whole free pages", () => {
    const run = replay(steps, expandable());
    expect(Array.from(run.reserved)).toEqual([40, 40, 60, 60, 60].map((x) => x * MiB));
    expect(Array.from(run.address)).toEqual([0, 30, 35, 0].map((x) => x * MiB));
    expect(Array.from(run.blockBytes)).toEqual([30, 5, 15, 25].map((x) => x * MiB));
    // After the free and the emptyCache, before the last alloc: 40 MiB mapped in two ranges.
    const before = stateAt(run, 3);
    expect(before.reserved).toBe(60 * MiB);
    const after = stateAt(run, 4);
    expect(after.segments.map((s) => [s.address / MiB, s.bytes / MiB])).toEqual([[0, 60]]);
    expect(after.segments[0].blocks.map((b) => [b.address / MiB, b.bytes / MiB, b.state])).toEqual([
      [0, 25, "allocated"], [25, 5, "free"], [30, 5, "allocated"], [35, 15, "allocated"], [50, 10, "free"],
    ]);
  });

  it("cachingAllocator({ expandableSegments: true }) reserves in pages: 2 MiB for small blocks, 20 MiB for large", () => {
    const run = replay(trace([{ alloc: 1000 }, { alloc: 3 * MiB }, { alloc: 21 * MiB }]), expandable());
    expect(Array.from(run.reserved)).toEqual([2 * MiB, 22 * MiB, 42 * MiB]);
  });

  it("cachingAllocator({ expandableSegments: true }) grows one range where fixed segments pile up, or are given back and reserved again", () => {
    // Growing batches: each step's activation is a little larger than the last one's (the case the
    // PyTorch note on expandable segments starts from).
    const steps = trace(Array.from({ length: 12 }, (_, i) => [{ alloc: (100 + i) * MiB }, { free: i }]).flat());
    const grown = replay(steps, expandable());
    expect(grown.peaks.reserved.bytes).toBe(120 * MiB); // 5 pages, then a sixth once
    const fixed = replay(steps, cachingAllocator());
    expect(fixed.peaks.reserved.bytes).toBeGreaterThan(5 * grown.peaks.reserved.bytes);
    // Under 130 MiB the fixed segments fit only by giving cached ones back, every other step.
    const capped = replay(steps, cachingAllocator(), { capacity: 130 * MiB });
    expect(capped.oom).toBeNull();
    expect(capped.segments.filter((x) => x.releasedAt >= 0).length).toBeGreaterThanOrEqual(5);
  });

  test.prop([traceArbitrary({ maxBuffers: 24 })])("cachingAllocator({ expandableSegments: true }) reserves whole pages, and never more than it has mapped", (t) => {
    const run = replay(t, expandable(), { view: "physical" });
    for (let i = 0; i < run.length; i++) expect(run.reserved[i] % (2 * MiB)).toBe(0);
    for (let i = 0; i < run.length; i++) {
      const live = stateAt(run, i).segments.reduce((s, x) => s + x.bytes, 0);
      expect(live).toBe(run.reserved[i]);
    }
  });

  it("cachingOptionsFromSnapshot() turns expandable_segments on", () => {
    expect(cachingOptionsFromSnapshot({ expandable_segments: true })).toEqual({ options: { expandableSegments: true }, unsupported: [] });
    expect(cachingOptionsFromSnapshot({ expandable_segments: false }).options.expandableSegments).toBeUndefined();
  });

  it("cachingAllocator() refuses an expandableSegments that is not a boolean", () => {
    expect(() => cachingAllocator({ expandableSegments: "yes" as never })).toThrow('cachingAllocator: expandableSegments must be true or false; got "yes"');
  });
});
