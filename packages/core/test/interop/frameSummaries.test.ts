import { describe, expect, it } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { importTorchSnapshot, readPickle, SnapshotError, writePickle } from "@hbmscope/core";
import { FrameSummaries } from "../../src/interop/frameSummaries.js";

const stack = (n: number) => Array.from({ length: n }, (_, i) => ({ filename: "model.py", line: i, name: `f${i}` }));

describe("FrameSummaries", () => {
  it("FrameSummaries.of() reads a list shared by every entry once", () => {
    const s = new FrameSummaries(8);
    const frames = stack(1000);
    for (let i = 0; i < 1000; i++) expect(s.of(frames)).toBe(0);
    expect(s.framesRead).toBe(1000);
  });

  it("FrameSummaries.of() with listsRepeat false (JSON) finds a copy of a list seen before by its contents: one summary, every list walked once", () => {
    const s = new FrameSummaries(8, false);
    for (let i = 0; i < 10; i++) expect(s.of(stack(100).map((f) => ({ ...f })))).toBe(0);
    expect(s.framesRead).toBe(1000);
    expect(s.list).toHaveLength(1);
    // another line in the innermost frame is another site
    const other = stack(100);
    other[0] = { ...other[0], line: 999 };
    expect(s.of(other)).toBe(1);
    expect(s.list[1].site).toBe("model.py:999");
    expect(s.of([])).toBe(-1);
    expect(s.of("frames")).toBe(-1);
  });

  it("FrameSummaries.of() summarises a list holding malformed frames without caching it, the same as a fresh summariser", () => {
    const s = new FrameSummaries(8, false);
    const odd = [null, { filename: 3, name: "x" }, { filename: "a.py", line: 1, name: "g" }];
    expect(s.list[s.of(odd)]).toEqual({ scope: "g", op: "g", site: "a.py:1" });
    expect(s.of([...odd])).toBe(0);
    expect(s.framesRead).toBe(6);
  });

  it("FrameSummaries.ofShared() reads a shared list once, and finds an equal distinct list through the trie", () => {
    const s = new FrameSummaries(8);
    const frames = stack(1000);
    for (let i = 0; i < 1000; i++) s.ofShared(frames);
    // first sight: trie walk + summary; then one lookup per reference
    expect(s.framesRead).toBe(2000);
    expect(s.ofShared([...frames])).toBe(0);
    expect(s.list).toHaveLength(1);
    expect(s.list[0]).toEqual({ scope: "f7/f6/f5/f4/f3/f2/f1/f0", op: "f0", site: "model.py:0" });
  });

  it("FrameSummaries.ofShared() with listsRepeat false (JSON) keeps no list by identity: the trie finds each list, the same summary", () => {
    const s = new FrameSummaries(8, false);
    const frames = stack(100);
    for (let i = 0; i < 10; i++) expect(s.ofShared(frames)).toBe(0);
    // a trie walk per call (100 frames each), plus the summary once
    expect(s.framesRead).toBe(1100);
    expect(s.list).toHaveLength(1);
  });
});

const frameArb = fc.oneof(
  fc.record({ filename: fc.constantFrom("a.py", "b.py", "<string>", "lib.so", "c.py"), line: fc.constantFrom(1, 2, "1"), name: fc.constantFrom("f", "g", "_call_impl", "forward") }),
  fc.constantFrom(null, 7, { name: "h" }, { filename: "a.py" }),
);

test.prop([fc.array(fc.array(frameArb, { maxLength: 6 }), { maxLength: 30 }), fc.integer({ min: 1, max: 4 }), fc.boolean()])(
  "FrameSummaries.of() gives every list the summary a fresh summariser gives it, whatever came before",
  (lists, depth, repeat) => {
    const s = new FrameSummaries(depth, repeat);
    for (const frames of lists) {
      const k = s.of(frames);
      const fresh = new FrameSummaries(depth, repeat);
      const alone = fresh.of(frames);
      if (alone < 0) expect(k).toBe(-1);
      else expect(s.list[k]).toEqual(fresh.list[alone]);
    }
  },
);

describe("importTorchSnapshot, shared references", () => {
  it("importTorchSnapshot() reads a pickle whose entries all share one memoised frame list", () => {
    const frames = stack(3000);
    const entries = Array.from({ length: 3000 }, (_, i) => ({ action: "alloc", addr: i * 512, size: 512, stream: 0, frames }));
    const bytes = writePickle({ segments: [], device_traces: [entries] }, { shareRepeated: true });
    // the list is written once: the pickle is linear in entries + frames, not their product
    expect(bytes.length).toBeLessThan(400_000);
    const t = importTorchSnapshot(bytes);
    expect(t.buffers).toHaveLength(3000);
    expect(t.buffers[2999]).toMatchObject({ op: "f0", scope: "f7/f6/f5/f4/f3/f2/f1/f0" });
  });

  it("importTorchSnapshot() refuses segments that share one blocks list", () => {
    const blocks = [{ size: 512, state: "inactive" }];
    const bytes = writePickle({ segments: [{ address: 0, total_size: 512, blocks }, { address: 4096, total_size: 512, blocks }], device_traces: [[]] }, { shareRepeated: true });
    expect(() => importTorchSnapshot(bytes)).toThrow(SnapshotError);
    expect(() => importTorchSnapshot(bytes)).toThrow(/segments\[1\]\.blocks is the same list as segments\[0\]\.blocks/);
  });
});

describe("writePickle", () => {
  it("writePickle() with shareRepeated writes a repeated list once and reads back as one object", () => {
    const shared = [1, 2, 3];
    const back = readPickle(writePickle({ a: shared, b: shared }, { shareRepeated: true })) as { a: unknown; b: unknown };
    expect(back.a).toEqual([1, 2, 3]);
    expect(back.b).toBe(back.a);
  });
});
