import { describe, expect, it } from "vitest";
import { importTorchSnapshot, writePickle, type SnapshotMeta } from "@hbmscope/core";

const MiB = 2 ** 20;
const segment = (address: number, total: number) => ({ device: 0, address, total_size: total, stream: 0, segment_type: "large", blocks: [{ address, size: total, state: "inactive" }] });
const warningsOf = (snap: unknown) => (importTorchSnapshot(writePickle(snap)).meta.torch as SnapshotMeta).warnings;

describe("importTorchSnapshot, inconsistent snapshots", () => {
  it("importTorchSnapshot() warns, naming the entry, of an unknown action and of time running back", () => {
    const w = warningsOf({
      segments: [segment(0, 20 * MiB)],
      device_traces: [[
        { action: "alloc", addr: 0, size: 512, time_us: 10_000 },
        { action: "teleport", addr: 0, size: 512, time_us: 10_000 },
        { action: "free_completed", addr: 0, size: 512, time_us: 5_000 },
        { action: "user_defined", time_us: 10_000 },
      ]],
    });
    expect(w).toEqual([
      'device_traces[0][1]: unknown action "teleport"; skipped (it carries no memory hbmscope knows of)',
      "device_traces[0][2]: time_us 5000 is 5000 us before an earlier entry's; kept at the earlier time",
    ]);
  });

  it("importTorchSnapshot() warns of overlapping segments and of an alloc outside every segment", () => {
    const w = warningsOf({
      segments: [segment(0, 20 * MiB), segment(10 * MiB, 20 * MiB)],
      device_traces: [[{ action: "alloc", addr: 100 * MiB, size: 512 }, { action: "alloc", addr: 0, size: 512 }]],
    });
    expect(w).toEqual([
      "segments[1] at 0xa00000 overlaps segments[0] (0x0 to 0x1400000)",
      "device_traces[0][0]: alloc at 0x6400000 of 512 bytes lies outside every segment of the snapshot",
    ]);
  });

  it("importTorchSnapshot() warns of a segment freed while a block in it is live", () => {
    const w = warningsOf({
      segments: [],
      device_traces: [[
        { action: "segment_alloc", addr: 0, size: 20 * MiB },
        { action: "alloc", addr: 4096, size: 512 },
        { action: "segment_free", addr: 0, size: 20 * MiB },
      ]],
    });
    expect(w).toContain("device_traces[0][2]: segment_free of 0x0 (20971520 bytes) while buffer 0 at 0x1000 in it is live");
  });

  it("importTorchSnapshot() warns of a segment freed while a block reaching into it from below is live, however many blocks live", () => {
    const many = Array.from({ length: 50_000 }, (_, k) => ({ action: "alloc", addr: 100 * MiB + k * 512, size: 512 }));
    const w = warningsOf({
      segments: [],
      device_traces: [[
        { action: "segment_alloc", addr: 0, size: 20 * MiB },
        { action: "segment_alloc", addr: 20 * MiB, size: 20 * MiB },
        { action: "alloc", addr: 20 * MiB - 512, size: 1024 }, // lies across both segments
        ...many,
        ...Array.from({ length: 500 }, () => ({ action: "segment_free", addr: 60 * MiB, size: 2 * MiB })),
        { action: "segment_free", addr: 20 * MiB, size: 20 * MiB },
        { action: "segment_free", addr: 80 * MiB, size: 20 * MiB }, // ends where the live blocks begin
      ]],
    });
    expect(w.filter((x) => x.includes("segment_free"))).toEqual([
      "device_traces[0][50503]: segment_free of 0x1400000 (20971520 bytes) while buffer 0 at 0x13ffe00 in it is live",
    ]);
  });

  it("importTorchSnapshot() warns of an alloc that overlaps a live block, and not of neighbours or reuse", () => {
    const w = warningsOf({
      segments: [segment(0, 20 * MiB)],
      device_traces: [[
        { action: "alloc", addr: 0, size: 1024 },
        { action: "alloc", addr: 1024, size: 512 }, // adjacent: fine
        { action: "alloc", addr: 4096, size: 4096 },
        { action: "alloc", addr: 2048, size: 4096 }, // runs into the block at 4096
        { action: "alloc", addr: 8000, size: 100 }, // starts inside the block at 4096
        { action: "free_completed", addr: 0, size: 1024 },
        { action: "alloc", addr: 512, size: 256 }, // inside a freed block: fine
      ]],
    });
    expect(w).toEqual([
      "device_traces[0][3]: alloc at 0x800 of 4096 bytes overlaps buffer 2 at 0x1000 (4096 bytes), which is live",
      "device_traces[0][4]: alloc at 0x1f40 of 100 bytes overlaps buffer 2 at 0x1000 (4096 bytes), which is live",
    ]);
  });

  it("importTorchSnapshot() with strict refuses an inconsistent snapshot, naming the first problem", () => {
    const snap = writePickle({ segments: [segment(0, 20 * MiB)], device_traces: [[{ action: "alloc", addr: 100 * MiB, size: 512 }]] });
    expect(() => importTorchSnapshot(snap, { strict: true })).toThrow(
      "importTorchSnapshot: device_traces[0][0]: alloc at 0x6400000 of 512 bytes lies outside every segment of the snapshot (strict: an inconsistent snapshot is refused)",
    );
    // a consistent one imports the same with strict
    const ok = writePickle({ segments: [segment(0, 20 * MiB)], device_traces: [[{ action: "alloc", addr: 0, size: 512 }]] });
    expect(importTorchSnapshot(ok, { strict: true }).buffers).toHaveLength(1);
  });
});
