import { describe, expect, it } from "vitest";
import { test } from "@fast-check/vitest";
import { cachingAllocator, importTorchSnapshot, readPickle, replay, timeline, toTorchSnapshot, traceBuilder, writePickle, type TorchSnapshot } from "@hbmscope/core";
import { traceArbitrary } from "@hbmscope/core/testing";

function small() {
  const b = traceBuilder({ source: "test" });
  const w = b.alloc({ bytes: 4096, category: "weight", op: "Variable", scope: "model/w" }, 0);
  const a = b.alloc({ bytes: 1000, category: "activation", op: "MatMul" }, 1);
  b.free(a, 2);
  void w;
  return b.build();
}

describe("toTorchSnapshot", () => {
  it("toTorchSnapshot() writes the entries memory_viz reads: segment_alloc, alloc, free_requested, free_completed, segment_free", () => {
    const s = toTorchSnapshot(small());
    expect(s.device_traces[0].map((e) => e.action)).toEqual([
      "snapshot", "segment_alloc", "alloc", "segment_alloc", "alloc", "free_requested", "free_completed", "segment_free",
    ]);
    expect(s.device_traces[0][0].category).toBe("unknown");
    expect(s.device_traces[0][2]).toMatchObject({ size: 4096, category: "weight", time_us: 0, frames: [{ filename: "model/w", line: 0, name: "Variable" }] });
  });

  it("toTorchSnapshot() lists what is alive at the end as segments with active blocks", () => {
    const s = toTorchSnapshot(small());
    expect(s.segments).toHaveLength(1);
    expect(s.segments[0]).toMatchObject({ device: 0, total_size: 4096, segment_type: "small", blocks: [{ size: 4096, requested_size: 4096, state: "active_allocated" }] });
  });

  it("toTorchSnapshot() pickles to something readPickle (and the viewer's reader subset) reads back", () => {
    const s = toTorchSnapshot(small());
    const back = readPickle(writePickle(s)) as unknown as TorchSnapshot;
    expect(back.device_traces[0]).toHaveLength(8);
    expect(back.segments[0].blocks[0].state).toBe("active_allocated");
  });

  test.prop([traceArbitrary({ maxBuffers: 15 })])("toTorchSnapshot() of an expandable-segments replay lists its mapped ranges, blocks inside, marked expandable", (t) => {
    const run = replay(t, cachingAllocator({ expandableSegments: true }), { view: "physical" });
    const snap = toTorchSnapshot(t, { run });
    for (const seg of snap.segments) {
      expect(seg.is_expandable).toBe(true);
      expect(seg.blocks.reduce((sum, b) => sum + b.size, 0)).toBe(seg.total_size);
    }
    expect(snap.segments.reduce((sum, seg) => sum + seg.total_size, 0)).toBe(run.reserved[run.length - 1] ?? 0);
  });

  test.prop([traceArbitrary({ maxBuffers: 15 })])("importTorchSnapshot(toTorchSnapshot(t)) keeps the peak and the end of the timeline", (t) => {
    const back = importTorchSnapshot(writePickle(toTorchSnapshot(t)));
    const before = timeline(t);
    const after = timeline(back);
    expect(after.peak.bytes).toBe(before.peak.bytes);
    expect(after.end).toBe(before.end);
    expect((back.meta.torch as { warnings: string[] }).warnings).toEqual([]);
  });
});
