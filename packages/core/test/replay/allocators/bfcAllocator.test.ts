import { describe, expect, it } from "vitest";
import { bfcAllocator, bfcBin, replay, stateAt, traceBuilder, type Trace } from "@hbmscope/core";

import { stepTrace as trace } from "./stepTrace.js";

const MiB = 2 ** 20;

describe("bfcAllocator()", () => {
  it("bfcAllocator() rounds 1000 bytes up to a 1024-byte chunk split from a first 2 MiB region", () => {
    const run = replay(trace([{ alloc: 1000 }]), bfcAllocator());
    expect(run.blockBytes[0]).toBe(1024);
    expect(run.segments.map((s) => [s.bytes, s.pool])).toEqual([[2 * MiB, "region"]]);
    expect(stateAt(run, 0).segments[0].blocks.map((b) => [b.state, b.bytes])).toEqual([
      ["allocated", 1024],
      ["free", 2 * MiB - 1024],
    ]);
  });

  it("bfcAllocator() hands over the whole chunk when it is less than twice the request", () => {
    const run = replay(trace([{ alloc: 1.5 * MiB }]), bfcAllocator());
    expect(run.blockBytes[0]).toBe(2 * MiB);
    expect(run.allocated[0]).toBe(2 * MiB);
    expect(run.requested[0]).toBe(1.5 * MiB);
  });

  it("bfcAllocator() splits when the leftover is at least 128 MiB even below twice the request", () => {
    // Regions double 2 MiB -> 512 MiB for a 384 MiB request: leftover 128 MiB is split off.
    expect(replay(trace([{ alloc: 384 * MiB }]), bfcAllocator()).blockBytes[0]).toBe(384 * MiB);
    // 200 MiB in a 256 MiB region: leftover 56 MiB, under twice the request: the whole region.
    expect(replay(trace([{ alloc: 200 * MiB }]), bfcAllocator()).blockBytes[0]).toBe(256 * MiB);
  });

  it("bfcAllocator() doubles the region size for each new region and while a request exceeds it", () => {
    const run = replay(trace([{ alloc: MiB }, { alloc: 1.5 * MiB }, { alloc: 10 * MiB }, { alloc: 20 * MiB }]), bfcAllocator());
    expect(run.segments.map((s) => s.bytes / MiB)).toEqual([2, 4, 16, 32]);
  });

  it("bfcAllocator() coalesces a freed chunk with free neighbours", () => {
    const run = replay(trace([{ alloc: 256 }, { alloc: 256 }, { alloc: 256 }, { free: 0 }, { free: 2 }, { free: 1 }]), bfcAllocator());
    expect(stateAt(run, 4).segments[0].blocks.map((b) => b.state)).toEqual(["free", "allocated", "free"]);
    expect(stateAt(run, 5).segments[0].blocks).toEqual([{ address: 0, bytes: 2 * MiB, state: "free", buffer: -1, requested: 0 }]);
  });

  it("bfcAllocator() releases free regions and grows again before reporting out of memory", () => {
    const steps = [{ alloc: MiB }, { alloc: 1.5 * MiB }, { free: 0 }, { free: 1 }, { alloc: 5 * MiB }];
    const run = replay(trace(steps), bfcAllocator(), { capacity: 6 * MiB });
    expect(run.oom).toBeNull();
    expect(run.segments.map((s) => [s.bytes / MiB, s.releasedAt])).toEqual([
      [2, 4],
      [4, 4],
      [6, -1],
    ]);
    const strict = replay(trace(steps), bfcAllocator({ garbageCollection: false }), { capacity: 6 * MiB });
    expect(strict.oom).toMatchObject({ index: 4, requested: 5 * MiB, attempted: 5 * MiB, allocated: 0, reservedUnallocated: 6 * MiB });
  });

  it("bfcAllocator({ allowGrowth: false }) reserves the whole capacity in one region", () => {
    const run = replay(trace([{ alloc: 1000 }]), bfcAllocator({ allowGrowth: false }), { capacity: "1GiB" });
    expect(run.reserved[0]).toBe(2 ** 30);
    expect(() => replay(trace([{ alloc: 1000 }]), bfcAllocator({ allowGrowth: false }))).toThrow(/needs a capacity/);
  });

  it("bfcBin() puts chunks of 256 << b bytes in bin b, everything from 256 MiB in bin 20", () => {
    expect([256, 511, 512, 1023, 1024, 256 * MiB - 1, 256 * MiB, 2 ** 40].map(bfcBin)).toEqual([0, 0, 1, 1, 2, 19, 20, 20]);
  });
});
