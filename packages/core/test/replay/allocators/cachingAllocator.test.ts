import { describe, expect, it } from "vitest";
import { cachingAllocator, replay, stateAt, traceBuilder, type Trace } from "@hbmscope/core";
import vector from "../../fixtures/pytorch-caching-allocator-examples.json" with { type: "json" };

import { stepTrace as trace } from "./stepTrace.js";

const MiB = 2 ** 20;

describe("cachingAllocator() reference vectors (vectors.json: pytorch-caching-allocator-examples)", () => {
  for (const c of vector.cases) {
    it(`cachingAllocator() serves ${c.request} bytes with a ${c.block}-byte block in a ${c.segment}-byte segment`, () => {
      const run = replay(trace([{ alloc: c.request }]), cachingAllocator());
      expect(run.blockBytes[0]).toBe(c.block);
      expect(run.segments).toHaveLength(1);
      expect(run.segments[0].bytes).toBe(c.segment);
      expect(run.reserved[0]).toBe(c.segment);
      expect(run.allocated[0]).toBe(c.block);
      expect(run.requested[0]).toBe(c.request);
      const free = stateAt(run, 0).segments[0].blocks.filter((b) => b.state === "free");
      const remainder = "free_remainder_in_segment" in c ? c.free_remainder_in_segment : c.segment - c.block;
      expect(free.reduce((s, b) => s + b.bytes, 0)).toBe(remainder);
    });
  }
});

describe("cachingAllocator()", () => {
  it("cachingAllocator() rounds 1000 bytes up to a 1024-byte block and packs small blocks into one 2 MiB segment", () => {
    const run = replay(trace([{ alloc: 1000 }, { alloc: 1 }, { alloc: 513 }]), cachingAllocator());
    expect([...run.blockBytes]).toEqual([1024, 512, 1024]);
    expect([...run.address]).toEqual([0, 1024, 1536]);
    expect(run.segments).toHaveLength(1);
  });

  it("cachingAllocator() best fit takes the smallest free block that fits, ties to the lowest address", () => {
    const K = 1024;
    // A 300K@0, B 100K@300K, C 300K@400K, D 100K@700K, E 200K@800K, F 100K@1000K, in one 2 MiB segment.
    const steps = [300, 100, 300, 100, 200, 100].map((k) => ({ alloc: k * K }));
    const run = replay(trace([...steps, { free: 2 }, { free: 0 }, { free: 4 }, { alloc: 150 * K }, { alloc: 300 * K }]), cachingAllocator());
    expect(run.address[6]).toBe(800 * K); // the 200K block, not a 300K one
    expect(run.address[7]).toBe(0); // 300K: A and C tie on size, A has the lower address
  });

  it("cachingAllocator() never splits a large block when the remainder is 1 MiB or less", () => {
    const run = replay(trace([{ alloc: 19 * MiB }, { alloc: 1 }]), cachingAllocator());
    expect(run.blockBytes[0]).toBe(20 * MiB); // 20 MiB segment, remainder exactly 1 MiB is not split
    expect(run.segments.map((s) => s.pool)).toEqual(["large", "small"]);
  });

  it("cachingAllocator() merges a freed block with free neighbours and reuses the whole segment", () => {
    const run = replay(trace([{ alloc: 5 * MiB }, { alloc: 5 * MiB }, { free: 0 }, { free: 1 }, { alloc: 20 * MiB }]), cachingAllocator());
    expect(run.segments).toHaveLength(1);
    expect(run.address[2]).toBe(0);
    expect(run.blockBytes[2]).toBe(20 * MiB);
    expect(stateAt(run, 3).segments[0].blocks).toEqual([{ address: 0, bytes: 20 * MiB, state: "free", buffer: -1, requested: 0 }]);
  });

  it("cachingAllocator() keeps freed segments cached until an emptyCache mark releases them", () => {
    const t = trace([{ alloc: 5 * MiB }, { free: 0 }, { alloc: 1000 }, { mark: "emptyCache" }, { alloc: 1000 }]);
    const run = replay(t, cachingAllocator());
    expect([...run.reserved]).toEqual([20 * MiB, 20 * MiB, 22 * MiB, 2 * MiB]);
    expect(run.segments[0].releasedAt).toBe(3);
    expect(run.segments[1].releasedAt).toBe(-1); // holds a live block
  });

  it("cachingAllocator() frees cached segments and retries before reporting out of memory", () => {
    const t = trace([{ alloc: 30 * MiB }, { free: 0 }, { alloc: 40 * MiB }]);
    const run = replay(t, cachingAllocator(), { capacity: 50 * MiB });
    expect(run.oom).toBeNull();
    expect(run.reserved[2]).toBe(40 * MiB);
    expect(run.segments[0].releasedAt).toBe(2);
  });

  it("cachingAllocator() reports PyTorch's facts on out of memory", () => {
    const t = trace([{ alloc: 5 * MiB }, { alloc: 30 * MiB }]);
    const run = replay(t, cachingAllocator(), { capacity: 40 * MiB });
    expect(run.length).toBe(2);
    expect(run.oom).toMatchObject({ index: 1, buffer: 1, requested: 30 * MiB, attempted: 30 * MiB, capacity: 40 * MiB, allocated: 5 * MiB, reservedUnallocated: 15 * MiB, free: 20 * MiB });
    expect(run.oom!.message).toContain("Tried to allocate 30.00 MiB");
    expect(run.oom!.message).toContain("5.00 MiB is allocated by PyTorch, and 15.00 MiB is reserved by PyTorch but unallocated");
    expect(run.oom!.message).toContain("expandable_segments:True");
  });

  it("cachingAllocator() with maxSplitSize does not split oversize blocks nor give them to small requests", () => {
    const opts = { maxSplitSize: 32 * MiB };
    const run = replay(trace([{ alloc: 40 * MiB }, { free: 0 }, { alloc: 12 * MiB }, { alloc: 39 * MiB }]), cachingAllocator(opts));
    expect(run.segments.map((s) => s.bytes)).toEqual([40 * MiB, 12 * MiB]);
    expect(run.address[1]).toBe(40 * MiB); // not carved from the cached 40 MiB block
    expect(run.address[2]).toBe(0); // 39 MiB takes the 40 MiB block whole (within 20 MiB)
    expect(run.blockBytes[2]).toBe(40 * MiB);
  });

  it("cachingAllocator() rounds to power-of-two divisions with roundupPower2Divisions", () => {
    const run = replay(trace([{ alloc: 1200 * 1024 }]), cachingAllocator({ roundupPower2Divisions: 4 }));
    expect(run.blockBytes[0]).toBe(1280 * 1024);
  });

  it("cachingAllocator() rejects maxSplitSize at or below 20 MiB, as PyTorch does", () => {
    expect(() => cachingAllocator({ maxSplitSize: 20 * MiB })).toThrow(/maxSplitSize must be more than 20 MiB/);
  });
});
