import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cachingAllocator, cachingOptionsFromSnapshot, compareWithSnapshot, importTorchSnapshot, replay, type SnapshotMeta } from "@hbmscope/core";

const MiB = 2 ** 20;
const load = (name: string) => importTorchSnapshot(new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url))));

function replayLikeTorch(name: string) {
  const trace = load(name);
  const { options, unsupported } = cachingOptionsFromSnapshot((trace.meta.torch as SnapshotMeta).allocatorSettings);
  expect(unsupported).toEqual([]);
  const run = replay(trace, cachingAllocator(options));
  return { trace, run, cmp: compareWithSnapshot(trace, run) };
}

describe("compareWithSnapshot", () => {
  it("compareWithSnapshot() finds that cachingAllocator() reproduces the fresh fixture's segments, reserved bytes and blocks", () => {
    const { cmp } = replayLikeTorch("snapshot-fresh.pickle");
    expect(cmp.findings).toEqual([]);
    expect(cmp.segmentSizes.replay.map((b) => b / MiB)).toEqual([2, 12, 20, 30]);
    expect(cmp.reserved).toMatchObject({ torchPeak: 64 * MiB, replayPeak: 64 * MiB, torchEnd: 44 * MiB, replayEnd: 44 * MiB });
    expect(cmp.blocks).toEqual({ checked: 5, mismatched: 0 });
  });

  it("compareWithSnapshot() finds that ghost blocks replayed in address order rebuild the 20 MiB segment PyTorch held", () => {
    const { cmp } = replayLikeTorch("snapshot-ghosts.pickle");
    expect(cmp.findings).toEqual([]);
    expect(cmp.reserved).toMatchObject({ torchAtStart: 20 * MiB, replayAtStart: 20 * MiB, torchEnd: 22 * MiB, replayEnd: 22 * MiB });
    expect(cmp.blocks).toEqual({ checked: 3, mismatched: 0 });
  });

  it("compareWithSnapshot() reports a replay that differs, naming the segment and the event", () => {
    const trace = load("snapshot-fresh.pickle");
    const run = replay(trace, cachingAllocator({ roundupPower2Divisions: 4 }));
    const cmp = compareWithSnapshot(trace, run);
    expect(cmp.findings.length).toBeGreaterThan(0);
    expect(cmp.findings.join("\n")).toMatch(/block at \d+ \(buffer \d+/);
  });

  it("cachingOptionsFromSnapshot() names a setting PyTorch would refuse by the snapshot's own key", () => {
    expect(() => cachingOptionsFromSnapshot({ roundup_power2_divisions: { "1": 3, "2": 4 } })).toThrow(
      'the snapshot\'s allocator_settings.roundup_power2_divisions is {"1":3,"2":4}, which PyTorch does not accept (0, 1 or a power of two for each interval)',
    );
    expect(() => cachingOptionsFromSnapshot({ roundup_power2_divisions: [0, 6] })).toThrow(/allocator_settings.roundup_power2_divisions is \[0,6\]/);
    expect(() => cachingOptionsFromSnapshot({ max_split_size: 1000 })).toThrow(/allocator_settings.max_split_size is 1000, which PyTorch does not accept \(more than 20 MiB/);
    expect(cachingOptionsFromSnapshot({ max_split_size: -1, roundup_power2_divisions: [0, 4] }).options).toMatchObject({ roundupPower2Divisions: [0, 4, ...new Array(14).fill(0)] });
  });

  it("cachingOptionsFromSnapshot() reads max_split_size, roundup_power2_divisions and expandable_segments, and lists what the model lacks", () => {
    const r = cachingOptionsFromSnapshot({ max_split_size: 64 * MiB, roundup_power2_divisions: { "1": 4, "2": 4 }, expandable_segments: true, garbage_collection_threshold: 0.8 });
    expect(r.options.maxSplitSize).toBe(64 * MiB);
    expect(r.options.roundupPower2Divisions).toEqual([4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(r.options.expandableSegments).toBe(true);
    expect(r.unsupported).toEqual(["garbage_collection_threshold 0.8 (the model frees cached blocks only on emptyCache or OOM)"]);
    expect(cachingOptionsFromSnapshot({ max_split_size: -1 }).options).toEqual({});
  });
});
