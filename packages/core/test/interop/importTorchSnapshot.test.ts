import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { eventCount, importTorchSnapshot, isLazyPending, liveAt, parseTrace, readTorchSnapshot, serializeTrace, SnapshotError, timeline, writePickle, type ByteSource, type SnapshotMeta, type TorchSnapshot, type Trace } from "@hbmscope/core";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
const MiB = 2 ** 20;
const torchMeta = (t: { meta: Record<string, unknown> }) => t.meta.torch as SnapshotMeta;

describe("importTorchSnapshot", () => {
  it("importTorchSnapshot() turns the fresh fixture into a valid trace with one buffer per alloc", () => {
    const t = parseTrace(importTorchSnapshot(fixture("snapshot-fresh.pickle")));
    expect(t.meta.source).toBe("imported");
    expect(t.buffers.map((b) => b.bytes)).toEqual([1000, 11 * MiB + 1, 5 * MiB, 3000, 8 * MiB, 6 * MiB, 30 * MiB, MiB, 600 * 1024]);
    expect(t.buffers.every((b) => !b.ghost)).toBe(true);
    // 9 allocs, 4 frees (at free_completed; free_requested only asks)
    expect(t.events.filter((e) => e.kind === "alloc")).toHaveLength(9);
    expect(t.events.filter((e) => e.kind === "free")).toHaveLength(4);
    expect(torchMeta(t).freeOn).toBe("free_completed");
  });

  it("importTorchSnapshot() reads the JSON form to the same trace as the pickle", () => {
    const fromPickle = importTorchSnapshot(fixture("snapshot-fresh.pickle"));
    const fromJson = importTorchSnapshot(readFileSync(new URL("../fixtures/snapshot-fresh.json", import.meta.url), "utf8"));
    expect(fromJson).toEqual(fromPickle);
  });

  it("importTorchSnapshot() peaks where the recorded allocs and frees put it", () => {
    const tl = timeline(importTorchSnapshot(fixture("snapshot-fresh.pickle")));
    // after the 30 MiB alloc: 3000 + (11 MiB + 1) + 8 MiB + 6 MiB + 30 MiB live
    expect(tl.peak.bytes).toBe(3000 + 11 * MiB + 1 + 8 * MiB + 6 * MiB + 30 * MiB);
    expect(tl.peak.scope).toBe("backward/grad");
  });

  it("importTorchSnapshot() makes scope, op and site from the Python frames, outermost first", () => {
    const t = importTorchSnapshot(fixture("snapshot-fresh.pickle"));
    expect(t.buffers[0]).toMatchObject({ scope: "forward/embed", op: "embed", site: "/work/model.py:10" });
  });

  it("importTorchSnapshot() keeps segment events, the segments dump and allocator settings in meta", () => {
    const m = torchMeta(importTorchSnapshot(fixture("snapshot-fresh.pickle")));
    expect(m.segmentEvents.map((s) => [s.action, s.bytes / MiB])).toEqual([
      ["segment_alloc", 2],
      ["segment_alloc", 12],
      ["segment_alloc", 20],
      ["segment_alloc", 30],
      ["segment_free", 20],
    ]);
    expect(m.segments.map((s) => [s.pool, s.bytes / MiB])).toEqual([["small", 2], ["large", 12], ["large", 30]]);
    expect(m.reservedAtStart).toBe(0);
    expect(m.allocatorSettings).toMatchObject({ max_split_size: -1, expandable_segments: false });
    expect(m.warnings).toEqual([]);
  });

  it("importTorchSnapshot() marks emptyCache where segments went back to the device, and the snapshot", () => {
    const t = importTorchSnapshot(fixture("snapshot-fresh.pickle"));
    expect(t.marks).toEqual([{ at: 11, label: "emptyCache" }, { at: 13, label: "snapshot", kind: "note" }]);
  });

  it("importTorchSnapshot() makes ghost buffers live at the start: frees without alloc and blocks only in segments", () => {
    const t = parseTrace(importTorchSnapshot(fixture("snapshot-ghosts.pickle")));
    const ghosts = t.buffers.filter((b) => b.ghost);
    expect(ghosts.map((b) => b.bytes).sort()).toEqual([3 * MiB, 5 * MiB].sort());
    expect(t.events.slice(0, 2).map((e) => [e.kind, t.buffers[e.buffer].bytes])).toEqual([["alloc", 5 * MiB], ["alloc", 3 * MiB]]);
    expect(t.marks[0]).toEqual({ at: 2, label: "recording", kind: "note" });
    expect(timeline(t).total[1]).toBe(8 * MiB);
    const m = torchMeta(t);
    expect(m.ghosts).toBe(2);
    expect(m.reservedAtStart).toBe(20 * MiB);
    expect(m.ooms).toEqual([{ at: 5, bytes: 64 * MiB, deviceFree: 3 * MiB }]);
    expect(t.marks.at(-1)).toEqual({ at: 5, label: "oom", kind: "note" });
  });

  it("importTorchSnapshot() frees on free_requested when completions were not recorded", () => {
    const snap = { segments: [], device_traces: [[
      { action: "alloc", addr: 4096, size: 100, stream: 0 },
      { action: "free_requested", addr: 4096, size: 100, stream: 0 },
    ]] };
    const t = importTorchSnapshot(snap);
    expect(t.events.map((e) => e.kind)).toEqual(["alloc", "free"]);
    expect(torchMeta(t).freeOn).toBe("free_requested");
  });

  it("importTorchSnapshot() maps the memory profiler's categories and takes a category accessor", () => {
    const snap = { segments: [], device_traces: [[
      { action: "alloc", addr: 0, size: 10, category: "PARAMETER" },
      { action: "alloc", addr: 512, size: 10, category: "optimizer_state" },
      { action: "alloc", addr: 1024, size: 10 },
    ]] };
    expect(importTorchSnapshot(snap).buffers.map((b) => b.category)).toEqual(["weight", "optimizer", "other"]);
    expect(importTorchSnapshot(snap, { category: () => "activation" }).buffers.map((b) => b.category)).toEqual(["activation", "activation", "activation"]);
  });

  it("importTorchSnapshot() names the devices present when the one asked for is not there", () => {
    const snap = writePickle({ segments: [{ device: 2, address: 0, total_size: 512, blocks: [] }], device_traces: [[{ action: "alloc", addr: 0, size: 512 }]] });
    expect(() => importTorchSnapshot(snap, { device: 5 })).toThrow("importTorchSnapshot: device 5 is not in this snapshot; it has devices 0, 2");
    try {
      importTorchSnapshot(snap, { device: 5 });
    } catch (e) {
      expect((e as SnapshotError).option).toBe("device");
    }
    // a device with segments only is there (nothing recorded, blocks alive throughout)
    expect(importTorchSnapshot(snap, { device: 2 }).buffers).toHaveLength(0);
  });

  it("importTorchSnapshot() picks the busiest device, or the one asked for", () => {
    const snap = { segments: [], device_traces: [[], [{ action: "alloc", addr: 0, size: 10 }], []] };
    expect(torchMeta(importTorchSnapshot(snap)).device).toBe(1);
    expect(importTorchSnapshot(snap, { device: 2 }).events).toEqual([]);
  });

  it("importTorchSnapshot() keeps stream handles wider than 64 bits (pickled as 9-byte ints) as text", () => {
    const stream = 2n ** 64n - 16n;
    const snap = { segments: [], device_traces: [[{ action: "alloc", addr: 4096, size: 64, stream }]] };
    const t = importTorchSnapshot(writePickle(snap));
    expect(t.buffers[0].stream).toBe(stream.toString());
    expect(() => JSON.stringify(t)).not.toThrow();
  });

  it("importTorchSnapshot() frees a buffer re-allocated without a free, and keeps at most 100 warnings", () => {
    const entries = Array.from({ length: 151 }, () => ({ action: "alloc", addr: 4096, size: 10 }));
    const t = importTorchSnapshot({ segments: [], device_traces: [entries] });
    expect(t.events.map((e) => e.kind).slice(0, 3)).toEqual(["alloc", "free", "alloc"]);
    const w = (t.meta.torch as SnapshotMeta).warnings;
    expect(w).toHaveLength(101);
    expect(w[0]).toMatch(/device_traces\[0\]\[1\]: alloc at 0x1000, which holds buffer 0 with no free recorded/);
    expect(w[100]).toBe("... and 50 more warnings");
  });

  it("importTorchSnapshot() names the entry and field of a bad size", () => {
    const snap = { segments: [], device_traces: [[{ action: "alloc", addr: 0, size: -5 }]] };
    expect(() => importTorchSnapshot(snap)).toThrow(/device_traces\[0\]\[0\]\.size must be a non-negative integer number of bytes, got -5/);
  });

  it("readTorchSnapshot() refuses files that are not snapshots, naming what it found", () => {
    expect(() => readTorchSnapshot("hello")).toThrow(SnapshotError);
    expect(() => readTorchSnapshot("[1,2]")).toThrow(/neither a pickle/);
    expect(() => readTorchSnapshot('{"a": 1}')).toThrow(/no `segments` list/);
    expect(() => readTorchSnapshot(writePickle([1, 2]))).toThrow(/holds no dictionary/);
  });

  const valid = fixture("snapshot-ghosts.pickle");
  test.prop([fc.array(fc.record({ at: fc.nat({ max: valid.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 })])(
    "importTorchSnapshot() on a mutated snapshot returns a valid trace or throws a SnapshotError",
    (edits) => {
      const b = valid.slice();
      for (const e of edits) b[e.at] = e.byte;
      let t;
      try {
        t = importTorchSnapshot(b);
      } catch (e) {
        expect(e).toBeInstanceOf(SnapshotError);
        return;
      }
      parseTrace(JSON.parse(JSON.stringify(t)));
    },
  );
});

/** `bytes` as a ByteSource of `size`-byte chunks, all read into one reused array. */
function reusedChunks(bytes: Uint8Array, size: number): ByteSource {
  return function* () {
    const chunk = new Uint8Array(size);
    for (let at = 0; at < bytes.length; at += size) {
      const n = Math.min(size, bytes.length - at);
      chunk.set(bytes.subarray(at, at + n));
      yield chunk.subarray(0, n);
    }
  };
}

/** What an import gives: the trace as plain JSON data, or the refusal's message. */
function imported(f: () => Trace): unknown {
  try {
    return { trace: JSON.parse(serializeTrace(f())) };
  } catch (e) {
    if (e instanceof SnapshotError) return { error: e.message };
    throw e;
  }
}

describe("importTorchSnapshot, entries kept as columns", () => {
  const frame = fc.constantFrom(
    { filename: "/m/model.py", line: 10, name: "forward" },
    { filename: "??", line: 0, name: "at::native::empty_cuda(c10::ArrayRef<long>)" },
    { filename: "/m/mlp.py", line: 7, name: "mlp" },
    { filename: "/usr/lib/torch/nn/modules/module.py", line: 1736, name: "_call_impl" },
  );
  const rare = <T,>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown>) => fc.oneof({ weight: 400, arbitrary: usual }, { weight: 1, arbitrary: odd });
  const entry = fc.record(
    {
      action: fc.constantFrom("alloc", "alloc", "alloc", "free_requested", "free_completed", "free_completed", "segment_alloc", "segment_free", "segment_map", "segment_unmap", "oom", "snapshot", "user_defined"),
      addr: rare(fc.constantFrom(0, 512, 4096, 2 ** 40), fc.constantFrom(2n ** 70n, -3, "x")),
      size: rare(fc.nat({ max: 2 ** 22 }), fc.constantFrom(-1, 1.5, null)),
      stream: fc.constantFrom(0, 7, 2n ** 64n - 16n),
      time_us: rare(fc.nat({ max: 10 ** 6 }), fc.constantFrom(2n ** 80n, "soon")),
      frames: fc.array(frame, { maxLength: 4 }),
      category: fc.constantFrom("parameter", "activation", "optimizer_state", "weird"),
      compile_context: fc.constant("N/A"),
      device_free: fc.nat({ max: 2 ** 30 }),
    },
    { requiredKeys: ["action"] },
  );
  const snapshot = fc.record({
    entries: fc.array(entry, { maxLength: 60 }),
    other: fc.array(entry, { maxLength: 5 }),
    timed: fc.boolean(),
    ghost: fc.boolean(),
  }).map(({ entries, other, timed, ghost }) => {
    const untimed = (es: typeof entries) => es.map((e) => (timed ? e : { ...e, time_us: undefined }));
    const segments = ghost
      ? [{ device: 0, address: 2 ** 41, total_size: 2 * MiB, stream: 0, segment_type: "large", blocks: [{ address: 2 ** 41, size: 1024, requested_size: 1000, state: "active_allocated", frames: [] }] }]
      : [];
    return { segments, device_traces: [untimed(entries), untimed(other)], allocator_settings: { expandable_segments: false } };
  });

  test.prop([snapshot, fc.integer({ min: 1, max: 64 })])(
    "importTorchSnapshot() of a pickle (whole or in reused chunks) gives what the same snapshot as objects gives",
    (snap, size) => {
      const bytes = writePickle(snap);
      const expected = imported(() => importTorchSnapshot(structuredClone(snap) as TorchSnapshot));
      expect(imported(() => importTorchSnapshot(bytes))).toEqual(expected);
      expect(imported(() => importTorchSnapshot(reusedChunks(bytes, size)))).toEqual(expected);
    },
  );

  test.prop([snapshot, fc.array(fc.nat(), { maxLength: 8 }), fc.constantFrom(0, 1)])(
    "importTorchSnapshot() of JSON in chunks (a ByteSource) gives what the same JSON text gives whole",
    (snap, cuts, indent) => {
      // Wide ints become plain numbers (JSON has no bigints); both sides read the same text.
      const text = JSON.stringify(snap, (_, v) => (typeof v === "bigint" ? Number(v) : v), indent);
      const bytes = new TextEncoder().encode(text);
      const at = [0, ...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
      const source: ByteSource = () => at.slice(1).map((end, i) => bytes.slice(at[i], end));
      expect(imported(() => importTorchSnapshot(source))).toEqual(imported(() => importTorchSnapshot(text)));
    },
  );

  it("importTorchSnapshot() names what is wrong with JSON in chunks", () => {
    const source = (text: string): ByteSource => () => [new TextEncoder().encode(text)];
    expect(() => importTorchSnapshot(source("[1]"))).toThrow('readTorchSnapshot: not a memory snapshot: neither a pickle (first byte 0x80) nor a JSON object (starts with "[")');
    expect(() => importTorchSnapshot(source('{"segments": [], "device_traces": [[{"action": "alloc",}]]}'))).toThrow(/readTorchSnapshot: not valid JSON \(.* at character 36\)/);
    expect(() => importTorchSnapshot(source('{"segments": []'))).toThrow('readTorchSnapshot: not valid JSON (expected "," or "}" at character 15, got the end of the text)');
    expect(() => importTorchSnapshot(source('{"device_traces": []}'))).toThrow(/no `segments` list/);
  });

  test.prop([snapshot])("importTorchSnapshot() builds the same arrays when they are read as it writes from its columns", (snap) => {
    let t: Trace;
    try {
      t = importTorchSnapshot(writePickle(snap));
    } catch (e) {
      expect(e).toBeInstanceOf(SnapshotError);
      return;
    }
    const written = JSON.parse(serializeTrace(t));
    expect(isLazyPending(t)).toBe(true);
    expect(JSON.parse(JSON.stringify({ buffers: t.buffers, events: t.events }))).toEqual({ buffers: written.buffers, events: written.events });
    expect(isLazyPending(t)).toBe(false);
  });

  it("importTorchSnapshot() leaves a pickle's trace as columns through timeline, liveAt and serializeTrace", () => {
    const t = importTorchSnapshot(fixture("snapshot-ghosts.pickle"));
    const tl = timeline(t);
    expect(liveAt(t, tl.peak.index).length).toBeGreaterThan(0);
    expect(serializeTrace(t).length).toBeGreaterThan(0);
    expect(eventCount(t)).toBe(tl.length);
    expect(isLazyPending(t)).toBe(true);
  });

  it("importTorchSnapshot() hands a category accessor every field of an entry read from a pickle", () => {
    const snap = { segments: [], device_traces: [[
      { action: "alloc", addr: 0, size: 10, compile_context: "optimizer step" },
      { action: "alloc", addr: 512, size: 10, compile_context: "forward" },
    ]] };
    const t = importTorchSnapshot(writePickle(snap), { category: (e) => (e.compile_context === "optimizer step" ? "optimizer" : "activation") });
    expect(t.buffers.map((b) => b.category)).toEqual(["optimizer", "activation"]);
  });

  it("importTorchSnapshot() names a category accessor's answer that is not a category", () => {
    const snap = { segments: [], device_traces: [[{ action: "alloc", addr: 0, size: 10 }]] };
    expect(() => importTorchSnapshot(snap, { category: () => "params" as never })).toThrow(/options.category returned "params"; expected one of weight, optimizer/);
  });
});
